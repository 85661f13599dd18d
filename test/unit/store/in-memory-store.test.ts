/** The in-memory store the engine's unit tests run on keeps the same contract as the Redis store. */
import { rollbackStoreContract } from '../../contract/rollback-store-contract';
import { InMemoryRollbackStore } from '../../fakes/in-memory-rollback-store';

rollbackStoreContract('in memory', (now) => ({ store: new InMemoryRollbackStore(now) }));
