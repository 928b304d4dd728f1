// piscina's one-off tasks as a whole program: 2 threads, 100 sequential `await piscina.run(x)` of the
// same task as oneoff-pool.mjs, then destroy. Prints the sum of the results.
import { Piscina } from 'piscina';

const piscina = new Piscina({ filename: new URL('./oneoff-task.mjs', import.meta.url).href, name: 'double', minThreads: 2, maxThreads: 2 });
let sum = 0;
for (let x = 0; x < 100; x++) sum += await piscina.run(x);
await piscina.destroy();
console.log(sum);
