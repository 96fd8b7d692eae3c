/** Runs a training job in a thread of its own and resolves with the artifacts; the caller's thread stays free. */
import { startThread } from '../store/start-thread.ts';
import {
  transferablesOf,
  type TrainedArtifacts,
  type TrainingJob,
  type TrainingReply,
} from './train-models.ts';

export function trainOffThread(job: TrainingJob): Promise<TrainedArtifacts> {
  return new Promise((resolve, reject) => {
    // The rows' buffers move to the thread (a transfer, not a copy: copying 100 MB would hold the caller's
    // thread); the caller's job is unusable afterwards.
    const thread = startThread('training-thread', job, import.meta.url, transferablesOf(job));
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
