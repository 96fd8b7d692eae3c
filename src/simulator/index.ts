/** Deterministic, labelled payment traffic with fraud scenarios: for tests, benchmarks, demos and backtests. */
export { simulate, SCENARIOS, DEFAULT_START } from './simulate.ts';
export type { SimulatorOptions, SimulatedTransaction } from './simulate.ts';
export { writeSimulation, formatRow, simulationFormatOf, SIMULATION_COLUMNS } from './write.ts';
