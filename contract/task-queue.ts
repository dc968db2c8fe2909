/** The task queue every Regatta worker polls and every run is started on. */
export const taskQueue = 'regatta-replication';
