/**
 * The thread a service trains in: the same recipe as `fraudwatch train` (src/training/trainers.ts), on rows the
 * caller gathered, so that growing trees for tens of seconds never holds the thread that decides transactions.
 * Receives one job as workerData, posts one reply and ends.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { trainModels, type TrainingJob, type TrainingReply } from './train-models.ts';

/**
 * Lowest CPU priority for this thread only: on Linux a thread is a task with its own id, and setpriority on that
 * id leaves the process's other threads (the one deciding transactions) as they are. Elsewhere, nothing.
 */
function yieldCpuToTheService(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // not Linux, or not allowed: training just runs at the process's priority
  }
}

yieldCpuToTheService();
const job = workerData as TrainingJob;
let reply: TrainingReply;
try {
  reply = { ok: true, ...trainModels(job) };
} catch (e) {
  reply = { ok: false, error: (e as Error).message };
}
parentPort!.postMessage(reply);
