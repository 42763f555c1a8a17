// The in-memory state stores against the stores' contract (tests/state/contract.ts).
import { memoryDocumentStore, memoryIdempotencyStore, memoryRateLimitStore } from "../../src/state/memory.js";
import { documentStoreContract, idempotencyStoreContract, rateLimitStoreContract } from "./contract.js";

idempotencyStoreContract("memory", (clock) => memoryIdempotencyStore(clock.now));
rateLimitStoreContract("memory", (clock) => memoryRateLimitStore(clock.now));
documentStoreContract("memory", (clock) => memoryDocumentStore(clock.now));
