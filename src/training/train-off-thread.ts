/** Runs a training job in a thread of its own and resolves with the artifacts; the caller's thread stays free. */
import { startThread } from '../store/start-thread.ts';
import type { TrainedArtifacts, TrainingJob, TrainingReply } from './train-models.ts';

export function trainOffThread(job: TrainingJob): Promise<TrainedArtifacts> {
  return new Promise((resolve, reject) => {
    // the rows are copied into the thread (structured clone): the caller may keep or drop its own
    const thread = startThread('training-thread', job, import.meta.url);
    let settled = false;
    thread.once('message', (reply: TrainingReply) => {
      settled = true;
      if (reply.ok) resolve({ iforest: reply.iforest, gbdt: reply.gbdt });
      else reject(new Error(`training failed: ${reply.error}`));
    });
    thread.once('error', (e) => {
      settled = true;
      reject(new Error(`training thread: ${e.message}`));
    });
    thread.once('exit', (code) => {
      if (!settled) reject(new Error(`the training thread exited (code ${code}) without an answer`));
    });
  });
}
