// Operator limits on refunds: a ceiling per refund, a running total per session and currency, and two caps
// across currencies: how many refunds a session makes, and in how many currencies. A refund reserves its amount
// (and its place in those counts) before the user is asked to confirm and before the API is called, so two
// refunds in flight at once cannot both fit under a limit. Amounts are minor units of one currency; totals are
// kept per currency, never converted: without exchange rates amounts in two currencies cannot be added, so the
// caps across currencies count refunds and currencies instead of money. Only ISO 4217 codes are accepted, so a
// made-up code cannot open a fresh total.
//
// Every refund is counted once, by its idempotency key: a refund the API made counts, whether this call saw the
// answer or lost it (outcome unknown); a repeat of such a call reuses the count instead of adding another; only
// a refund that certainly did not happen (declined, refused by the API) gives its amount back.
import { randomUUID } from "node:crypto";
import { isIsoCurrency } from "../api/currency.js";
import type { DocumentStore } from "../state/stores.js";
import { LimitExceededError } from "../errors.js";
import { moneyView } from "../views/money.js";

export interface RefundLimits {
  /** Largest single refund, in minor units of its currency. */
  readonly maxRefund: number;
  /** Most refunded per session in any one currency, in minor units of it. */
  readonly maxSessionRefunds: number;
  /** Most refunds per session, whatever their currencies. */
  readonly maxSessionRefundCount: number;
  /** Most distinct currencies a session refunds in. */
  readonly maxSessionCurrencies: number;
}

/** A reserved refund, settled exactly once by whoever learns what the API did. */
export interface RefundReservation {
  /** The API made this refund: it counts. */
  commit(): Promise<void>;
  /** The API answered with a replay of a refund made before this window: nothing moved now. */
  replayedFromEarlier(): Promise<void>;
  /** Nothing was refunded (declined, refused): the amount is given back. */
  release(): Promise<void>;
  /** Whether the API refunded is unknown: the amount keeps counting, and a repeat of the call shares it. */
  unknown(): Promise<void>;
}

export interface CountedRefund {
  amount: number;
  currency: string;
}

/** One caller's refunds in one window (a stdio session, or a day over HTTP), as the document store keeps it. */
interface Ledger {
  /** Committed, unknown and reserved, per currency. */
  used: Record<string, number>;
  /** Refunds that count (made, or maybe made), by idempotency key. */
  counted: Record<string, CountedRefund>;
  /** Reservations not settled yet, by reservation id: each holds its amount and a place in the refund count. */
  pending: Record<string, CountedRefund & { key: string }>;
}

const EMPTY: Ledger = { used: {}, counted: {}, pending: {} };
/** A ledger nobody touched for this long is dropped; every window it serves is shorter. */
const LEDGER_TTL_MS = 48 * 60 * 60 * 1000;

/** The refunds of one caller and window, as the handlers of a call see them. */
export interface RefundAllowance {
  /** The refund an earlier call in this window made, or may have made, with `key`. */
  earlier(key: string): Promise<CountedRefund | undefined>;
  /**
   * Reserves `amount` for the refund written with `key`, or throws LimitExceededError saying which limit and what
   * is still allowed. A key that already counts (an earlier call made, or may have made, this refund) reserves
   * nothing more: it is the same refund.
   */
  reserve(amount: number, currency: string, key: string): Promise<RefundReservation>;
  /** What the window has used so far, reservations and unknown outcomes included. */
  usage(): Promise<RefundUsage>;
}

export interface RefundUsage {
  /** Minor units per currency. */
  readonly used: Readonly<Record<string, number>>;
  /** Refunds made, maybe made, or being made, in every currency. */
  readonly refunds: number;
  /** Currencies refunded in, or being refunded in. */
  readonly currencies: readonly string[];
}

/**
 * The limits, over ledgers in a DocumentStore (src/state/): every read-check-write of a ledger is one atomic
 * update, so concurrent refunds, in one process or across replicas, cannot both pass a limit.
 */
export class RefundLimiter {
  constructor(
    private readonly store: DocumentStore,
    private readonly limits: RefundLimits,
  ) {}

  /** The allowance of the ledger named `ledger` (a principal's subject and window). */
  allowance(ledger: string): RefundAllowance {
    return {
      earlier: (key) => this.change(ledger, (doc) => ({ doc, result: doc.counted[key] })),
      reserve: (amount, currency, key) => this.reserve(ledger, amount, currency, key),
      usage: () => this.change(ledger, (doc) => ({ doc, result: usageOf(doc) })),
    };
  }

  private change<T>(ledger: string, change: (doc: Ledger) => { doc: Ledger; result: T }): Promise<T> {
    return this.store.update<Ledger, T>(`refunds:${ledger}`, LEDGER_TTL_MS, (doc) => change(doc ?? structuredClone(EMPTY)));
  }

  private async reserve(ledger: string, amount: number, currency: string, key: string): Promise<RefundReservation> {
    const id = randomUUID();
    const fresh = await this.change(ledger, (doc) => {
      if (doc.counted[key]) return { doc, result: false };
      this.check(doc, amount, currency);
      add(doc, currency, amount);
      doc.pending[id] = { amount, currency, key };
      return { doc, result: true };
    });
    return fresh ? this.reservation(ledger, id) : this.alreadyCounted(ledger, key);
  }

  private reservation(ledger: string, id: string): RefundReservation {
    const settle = (how: "count" | "give back") =>
      this.change(ledger, (doc) => {
        const reserved = doc.pending[id];
        if (!reserved) return { doc, result: undefined };
        delete doc.pending[id];
        // A concurrent call with the same key may have settled first; the refund still counts only once.
        if (how === "give back" || doc.counted[reserved.key]) add(doc, reserved.currency, -reserved.amount);
        else doc.counted[reserved.key] = { amount: reserved.amount, currency: reserved.currency };
        return { doc, result: undefined };
      });
    return {
      commit: () => settle("count"),
      unknown: () => settle("count"),
      release: () => settle("give back"),
      replayedFromEarlier: () => settle("give back"),
    };
  }

  private alreadyCounted(ledger: string, key: string): RefundReservation {
    const nothing = async () => {};
    // The earlier call's outcome was unknown; now the API says nothing happened, so the count goes back.
    const forget = () =>
      this.change(ledger, (doc) => {
        const entry = doc.counted[key];
        if (entry) {
          delete doc.counted[key];
          add(doc, entry.currency, -entry.amount);
        }
        return { doc, result: undefined };
      });
    return { commit: nothing, unknown: nothing, replayedFromEarlier: nothing, release: forget };
  }

  private check(doc: Ledger, amount: number, currency: string): void {
    const { maxRefund, maxSessionRefunds, maxSessionRefundCount, maxSessionCurrencies } = this.limits;
    const stop = "Do not retry. Ask a human to make further refunds in the billing system.";
    if (!isIsoCurrency(currency)) {
      // The API schemas already refuse such a code; this holds even for a caller that got past them.
      throw new LimitExceededError(
        "This refund is not in an ISO 4217 currency, so this server's refund limits cannot apply to it.",
        { nextStep: stop },
      );
    }
    const show = (minor: number) => moneyView(minor, currency).display;
    if (amount > maxRefund) {
      throw new LimitExceededError(
        `A refund of ${show(amount)} is above this server's limit of ${show(maxRefund)} per refund.`,
        { nextStep: `Refund at most ${maxRefund} (${show(maxRefund)}), or ask a human to make a larger refund in the billing system.` },
      );
    }
    const { refunds: refundCount, currencies, used: usedPerCurrency } = usageOf(doc);
    if (refundCount >= maxSessionRefundCount) {
      throw new LimitExceededError(
        `This session has already made ${plural(refundCount, "refund")} (in progress included), this server's `
        + "limit per session across all currencies.",
        { nextStep: stop },
      );
    }
    if (!currencies.includes(currency) && currencies.length >= maxSessionCurrencies) {
      throw new LimitExceededError(
        `This session already refunds in ${currencies.map((code) => code.toUpperCase()).join(", ")}; this server `
        + `allows refunds in at most ${plural(maxSessionCurrencies, "currency", "currencies")} per session, so a `
        + `refund in ${currency.toUpperCase()} is refused.`,
        { nextStep: stop },
      );
    }
    const used = usedPerCurrency[currency] ?? 0;
    const left = Math.max(0, maxSessionRefunds - used);
    if (amount > left) {
      throw new LimitExceededError(
        `A refund of ${show(amount)} would take this session's refunds above ${show(maxSessionRefunds)} `
        + `(${show(used)} already refunded or in progress; ${show(left)} left).`,
        { nextStep: stop },
      );
    }
  }
}

function usageOf(doc: Ledger): RefundUsage {
  return {
    used: { ...doc.used },
    refunds: Object.keys(doc.counted).length + Object.keys(doc.pending).length,
    currencies: Object.entries(doc.used).filter(([, used]) => used > 0).map(([code]) => code),
  };
}

function add(doc: Ledger, currency: string, amount: number): void {
  doc.used[currency] = (doc.used[currency] ?? 0) + amount;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
