/**
 * An account's usual places: up to three centres (lat, lon, uses) learned online, kept as 32-bit floats (about
 * 1 m of precision) in nine words of the account's block. A point within CLUSTER_RADIUS_KM of a centre moves
 * that centre towards it; a farther point starts a new centre, replacing the least used one when all are taken.
 */
import { readF32, writeF32 } from './word-codec.ts';

export const LOCATION_WORDS = 9;
const SLOTS = 3;
const CLUSTER_RADIUS_KM = 50;
const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

/**
 * Equirectangular distance in km: one cosine instead of a haversine per centre, within 0.5 % of the great
 * circle up to ~1,000 km and still far when far, which is all a "far from home" feature needs.
 */
function approxKm(lat: number, lon: number, cosLat: number, lat2: number, lon2: number): number {
  let dLon = Math.abs(lon - lon2);
  if (dLon > 180) dLon = 360 - dLon;
  const x = dLon * cosLat;
  const y = lat - lat2;
  return Math.sqrt(x * x + y * y) * RAD * EARTH_RADIUS_KM;
}

/** Distance to the nearest centre in km, or -1 when none is known yet. */
export function distanceFromUsual(b: Uint32Array, at: number, lat: number, lon: number): number {
  let best = -1;
  const cosLat = Math.cos(lat * RAD);
  for (let s = 0; s < SLOTS; s++) {
    const w = at + 3 * s;
    if (readF32(b, w + 2) === 0) continue;
    const d = approxKm(lat, lon, cosLat, readF32(b, w), readF32(b, w + 1));
    if (best < 0 || d < best) best = d;
  }
  return best;
}

export function recordLocation(b: Uint32Array, at: number, lat: number, lon: number): void {
  const cosLat = Math.cos(lat * RAD);
  let nearest = -1;
  let nearestKm = Infinity;
  let emptiest = 0;
  for (let s = 0; s < SLOTS; s++) {
    const w = at + 3 * s;
    const uses = readF32(b, w + 2);
    if (uses < readF32(b, at + 3 * emptiest + 2)) emptiest = s;
    if (uses === 0) continue;
    const d = approxKm(lat, lon, cosLat, readF32(b, w), readF32(b, w + 1));
    if (d < nearestKm) {
      nearestKm = d;
      nearest = s;
    }
  }
  if (nearest >= 0 && nearestKm <= CLUSTER_RADIUS_KM) {
    const w = at + 3 * nearest;
    const uses = readF32(b, w + 2) + 1;
    writeF32(b, w, readF32(b, w) + (lat - readF32(b, w)) / uses);
    writeF32(b, w + 1, readF32(b, w + 1) + (lon - readF32(b, w + 1)) / uses);
    writeF32(b, w + 2, uses);
    return;
  }
  const w = at + 3 * emptiest;
  writeF32(b, w, lat);
  writeF32(b, w + 1, lon);
  writeF32(b, w + 2, 1);
}
