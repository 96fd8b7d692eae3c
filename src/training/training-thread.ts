/**
 * The thread a service trains in: the same recipe as `fraudwatch train` (src/training/trainers.ts), on rows the
 * caller gathered, so that growing trees for tens of seconds never holds the thread that decides transactions.
 * Receives one job as workerData, posts one reply and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { trainModels, type TrainingJob, type TrainingReply } from './train-models.ts';

const job = workerData as TrainingJob;
let reply: TrainingReply;
try {
  reply = { ok: true, ...trainModels(job) };
} catch (e) {
  reply = { ok: false, error: (e as Error).message };
}
parentPort!.postMessage(reply);
