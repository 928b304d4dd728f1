// The workerpool worker for the pool benchmark: the same task as consume() runs.
import workerpool from 'workerpool';
import { countPrimes } from '../workloads/cpu-task.js';

workerpool.worker({ countPrimes });
