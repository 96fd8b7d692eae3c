/**
 * The last step from model outputs to a probability: a logistic map fitted on held-back rows that come later
 * in time than every training row. With the GBDT's margin as its only input this is Platt scaling (boosting with
 * a positive-class weight and thinned negatives ranks well but over-states the odds); with the anomaly and rule
 * scores as further inputs it is a stacker that gives each part the weight it earned on later data, so a GBDT
 * trained on little data cannot bury a good anomaly score. The margin's coefficient is kept positive, so the
 * map never turns the GBDT's ranking around.
 */

export interface LogisticMap {
  /** Coefficients, one per input, in the order the inputs were given. */
  weights: number[];
  intercept: number;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** log(1 + e^z), without overflow. */
const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

export function applyLogistic(map: LogisticMap, inputs: ArrayLike<number>): number {
  let z = map.intercept;
  for (let j = 0; j < map.weights.length; j++) z += map.weights[j]! * inputs[j]!;
  return sigmoid(z);
}

/**
 * Fits a weighted logistic regression of `labels` (0/1) on k inputs per row (`X`, row-major n × k) by Newton's
 * method with a backtracking line search, a small ridge on the coefficients (not the intercept) and Platt's
 * target smoothing (y+ = (N+ + 1)/(N+ + 2), y- = 1/(N- + 2)), which keeps a separable set from driving the
 * coefficients to infinity. `weights` restore the true class mix when negatives were thinned. Input 0 (the
 * margin) is held at a coefficient of at least `minFirst`. Returns the identity on input 0 when the rows do not
 * hold both classes.
 */
export function fitLogistic(
  X: ArrayLike<number>,
  n: number,
  k: number,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
  options: { ridge?: number; minFirst?: number } = {},
): LogisticMap {
  const ridge = options.ridge ?? 1e-4;
  const minFirst = options.minFirst ?? 1e-3;
  let wPos = 0;
  let wNeg = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    if (labels[i]! > 0) wPos += w;
    else wNeg += w;
  }
  const identity = { weights: Array.from({ length: k }, (_, j) => (j === 0 ? 1 : 0)), intercept: 0 };
  if (wPos === 0 || wNeg === 0) return identity;
  const total = wPos + wNeg;
  // Fit on standardised inputs, so the ridge treats an input of small spread (an anomaly score between 0.3
  // and 0.8) like one of large spread (a margin of ±10); the coefficients are mapped back at the end.
  const centre = new Float64Array(k);
  const spread = new Float64Array(k).fill(1);
  for (let j = 0; j < k; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += (weights ? weights[i]! : 1) * X[i * k + j]!;
    m /= total;
    let v = 0;
    for (let i = 0; i < n; i++) v += (weights ? weights[i]! : 1) * (X[i * k + j]! - m) ** 2;
    centre[j] = m;
    spread[j] = Math.sqrt(v / total) > 1e-12 ? Math.sqrt(v / total) : 1;
  }
  const Z = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) Z[i * k + j] = (X[i * k + j]! - centre[j]!) / spread[j]!;
  const targetPos = (wPos + 1) / (wPos + 2);
  const targetNeg = 1 / (wNeg + 2);
  const p = k + 1; // coefficients, then the intercept
  const theta = new Float64Array(p);
  theta[0] = spread[0]!;
  theta[k] = Math.log((wPos + 1) / (wNeg + 1));
  const minFirstScaled = minFirst * spread[0]!;
  const z = (params: Float64Array, i: number): number => {
    let s = params[k]!;
    for (let j = 0; j < k; j++) s += params[j]! * Z[i * k + j]!;
    return s;
  };
  const lossAt = (params: Float64Array): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i]! : 1;
      const t = labels[i]! > 0 ? targetPos : targetNeg;
      const zi = z(params, i);
      loss += w * (softplus(zi) - t * zi);
    }
    for (let j = 0; j < k; j++) loss += 0.5 * ridge * total * params[j]! ** 2;
    return loss;
  };
  let loss = lossAt(theta);
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  const step = new Float64Array(p);
  const trial = new Float64Array(p);
  for (let iteration = 0; iteration < 100; iteration++) {
    grad.fill(0);
    hess.fill(0);
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i]! : 1;
      const t = labels[i]! > 0 ? targetPos : targetNeg;
      const q = sigmoid(z(theta, i));
      const d = (q - t) * w;
      const h = q * (1 - q) * w;
      for (let a = 0; a < p; a++) {
        const xa = a === k ? 1 : Z[i * k + a]!;
        grad[a] = grad[a]! + d * xa;
        for (let b = a; b < p; b++) {
          const xb = b === k ? 1 : Z[i * k + b]!;
          hess[a * p + b] = hess[a * p + b]! + h * xa * xb;
        }
      }
    }
    for (let j = 0; j < k; j++) {
      grad[j] = grad[j]! + ridge * total * theta[j]!;
      hess[j * p + j] = hess[j * p + j]! + ridge * total;
    }
    hess[k * p + k] = hess[k * p + k]! + 1e-12 * total;
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) hess[a * p + b] = hess[b * p + a]!;
    if (!solve(hess, grad, step, p)) break;
    let t = 1;
    let slope = 0;
    for (let a = 0; a < p; a++) slope -= grad[a]! * step[a]!;
    let next = Infinity;
    for (; t > 1e-10; t /= 2) {
      for (let a = 0; a < p; a++) trial[a] = theta[a]! - t * step[a]!;
      if (trial[0]! < minFirstScaled) trial[0] = minFirstScaled;
      next = lossAt(trial);
      if (next <= loss + 1e-4 * t * slope) break;
    }
    if (t <= 1e-10) break;
    theta.set(trial);
    const improved = loss - next;
    loss = next;
    if (improved < 1e-12 * Math.max(1, Math.abs(loss))) break;
  }
  if (!Array.from(theta).every(Number.isFinite)) return identity;
  // Back to raw inputs: θ·(x − c)/s + θk = (θ/s)·x + (θk − Σ θ c / s).
  const raw = Array.from({ length: k }, (_, j) => theta[j]! / spread[j]!);
  let intercept = theta[k]!;
  for (let j = 0; j < k; j++) intercept -= raw[j]! * centre[j]!;
  return { weights: raw, intercept };
}

/** Solves A x = b for a small symmetric positive definite A (p × p) by Gaussian elimination; false if singular. */
function solve(A: Float64Array, b: Float64Array, x: Float64Array, p: number): boolean {
  const m = Float64Array.from(A);
  const r = Float64Array.from(b);
  for (let c = 0; c < p; c++) {
    let pivot = c;
    for (let i = c + 1; i < p; i++) if (Math.abs(m[i * p + c]!) > Math.abs(m[pivot * p + c]!)) pivot = i;
    if (!(Math.abs(m[pivot * p + c]!) > 1e-300)) return false;
    if (pivot !== c) {
      for (let j = 0; j < p; j++) [m[c * p + j], m[pivot * p + j]] = [m[pivot * p + j]!, m[c * p + j]!];
      [r[c], r[pivot]] = [r[pivot]!, r[c]!];
    }
    for (let i = c + 1; i < p; i++) {
      const f = m[i * p + c]! / m[c * p + c]!;
      if (f === 0) continue;
      for (let j = c; j < p; j++) m[i * p + j] = m[i * p + j]! - f * m[c * p + j]!;
      r[i] = r[i]! - f * r[c]!;
    }
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = r[i]!;
    for (let j = i + 1; j < p; j++) s -= m[i * p + j]! * x[j]!;
    x[i] = s / m[i * p + i]!;
  }
  return true;
}
