/* Processes — Python's multiprocessing.Process and friends */
export { Process } from './process/process.js';
export type { ArgsOption, ProcessBaseOptions, ProcessJoinOptions, ProcessOptions, Target, TargetReference } from './process/process.js';
export { activeChildren, cpuCount, currentProcess, isMainModule, parentProcess } from './process/current-process.js';
export type { CurrentProcessInfo, ParentProcessInfo } from './process/current-process.js';

/* Queues */
export { Queue } from './process/queue.js';
export type { QueueIterateOptions, QueueOptions, QueueWaitOptions } from './process/queue.js';
export { JoinableQueue, type JoinableQueueJoinOptions, type JoinableQueueOptions } from './process/joinable-queue.js';

/* Queue backends — where a queue lives: local (the default) or Redis, on one machine or many */
export type { QueueBackendOption } from './queue/select-backend.js';
export { redis, RedisBackend } from './queue/redis/redis.js';
export type { RedisBackendOptions, RedisTlsOptions } from './queue/redis/redis.js';

/* Pool — Python's multiprocessing.Pool: warm workers, reused */
export { Pool } from './pool/pool.js';
export type { MapOptions, PoolOptions, RunOptions } from './pool/pool.js';

/* Reactive layer — processes as Observables */
export { producer } from './operators/producer.js';
export type { ProducedItem, ProducerOptions } from './operators/producer.js';
export type { ExplicitType, InitargsOption, OptionsArgument } from './operators/target-types.js';
export { mergeProducers } from './operators/merge-producers.js';
export { queue } from './operators/queue.js';
export type { QueueOperatorOptions } from './operators/queue.js';
export { consume } from './operators/consume.js';
export type { ConsumeOptions } from './operators/consume.js';
export { getStartMethod, setStartMethod } from './operators/start-method.js';
export type { StartMethod } from './operators/start-method.js';
export type { Context } from './operators/context.js';

/* Logging */
export { getLogger, logToStderr, setLogger } from './process/logger.js';
export type { AppLogger, LogFn, Logger, LogLevel, LogLevelSetting, LogToStderrOptions } from './process/logger.js';

/* Errors */
export {
  MultiprocessingError,
  ConsumerExitedError,
  MissingDependencyError,
  ProcessExitError,
  ProcessStateError,
  QueueClosedError,
  QueueEmptyError,
  QueueFullError,
  SerializationError,
  TargetResolutionError,
  TaskDoneError,
  TaskError,
} from './errors/index.js';
export { RedisBackendError, type RedisErrorCode } from './queue/redis/errors/redis-backend-error.js';
export { RedisAuthError } from './queue/redis/errors/redis-auth-error.js';
export { RedisUnreachableError } from './queue/redis/errors/redis-unreachable-error.js';
export { RedisTlsError } from './queue/redis/errors/redis-tls-error.js';
export { RedisPermissionError } from './queue/redis/errors/redis-permission-error.js';
export { RedisOutOfMemoryError } from './queue/redis/errors/redis-out-of-memory-error.js';
export { RedisConnectionLostError } from './queue/redis/errors/redis-connection-lost-error.js';
export { PoisonItemError } from './queue/redis/errors/poison-item-error.js';
export { EntrySignatureError } from './queue/redis/errors/entry-signature-error.js';
export { RedisCredentialsMissingError } from './queue/redis/errors/redis-credentials-missing-error.js';
export { RedisPipelineBusyError } from './queue/redis/errors/redis-pipeline-busy-error.js';
