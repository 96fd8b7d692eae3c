/**
 * An account's usual places: up to three centres (lat, lon, uses) learned online. A point within
 * CLUSTER_RADIUS_KM of a centre moves that centre towards it; a farther point starts a new centre, replacing the
 * least used one when all three are taken.
 */

const SLOTS = 3;
const CLUSTER_RADIUS_KM = 50;
const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

export class UsualLocations {
  /** [lat, lon, uses] per slot; uses 0 = empty. */
  readonly centres: Float64Array;

  constructor(centres?: Float64Array) {
    this.centres = centres ?? new Float64Array(SLOTS * 3);
  }

  /**
   * Distance to the nearest centre in km, or -1 when none is known yet. Equirectangular approximation (one
   * cosine instead of a haversine per centre): within 0.5 % of the great circle up to ~1,000 km, and still far
   * when far, which is all a "far from home" feature needs.
   */
  distanceKm(lat: number, lon: number): number {
    let best = -1;
    const c = this.centres;
    const cosLat = Math.cos(lat * RAD);
    for (let s = 0; s < SLOTS; s++) {
      if (c[s * 3 + 2] === 0) continue;
      const d = approxKm(lat, lon, cosLat, c[s * 3]!, c[s * 3 + 1]!);
      if (best < 0 || d < best) best = d;
    }
    return best;
  }

  record(lat: number, lon: number): void {
    const c = this.centres;
    const cosLat = Math.cos(lat * RAD);
    let nearest = -1;
    let nearestKm = Infinity;
    let emptiest = 0;
    for (let s = 0; s < SLOTS; s++) {
      const uses = c[s * 3 + 2]!;
      if (uses < c[emptiest * 3 + 2]!) emptiest = s;
      if (uses === 0) continue;
      const d = approxKm(lat, lon, cosLat, c[s * 3]!, c[s * 3 + 1]!);
      if (d < nearestKm) {
        nearestKm = d;
        nearest = s;
      }
    }
    if (nearest >= 0 && nearestKm <= CLUSTER_RADIUS_KM) {
      const uses = c[nearest * 3 + 2]! + 1;
      c[nearest * 3] = c[nearest * 3]! + (lat - c[nearest * 3]!) / uses;
      c[nearest * 3 + 1] = c[nearest * 3 + 1]! + (lon - c[nearest * 3 + 1]!) / uses;
      c[nearest * 3 + 2] = uses;
      return;
    }
    c[emptiest * 3] = lat;
    c[emptiest * 3 + 1] = lon;
    c[emptiest * 3 + 2] = 1;
  }
}

/** Equirectangular distance in km (see distanceKm). */
function approxKm(lat: number, lon: number, cosLat: number, lat2: number, lon2: number): number {
  let dLon = Math.abs(lon - lon2);
  if (dLon > 180) dLon = 360 - dLon;
  const x = dLon * cosLat;
  const y = lat - lat2;
  return Math.sqrt(x * x + y * y) * RAD * EARTH_RADIUS_KM;
}
