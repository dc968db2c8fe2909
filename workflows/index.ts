// The workflows a Regatta worker runs. Only deterministic code is reachable from here.
export {};
