// Loaded with `--import` in traced runs only (children inherit it): the moment Node has booted and
// is about to load the program, before any of its modules or the library are read.
import { mark } from './trace.mjs';

mark('boot');
