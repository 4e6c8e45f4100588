// The application cart (申请单): entries a user means to apply for together, kept in localStorage
// per user so that it survives signing out and back in on the same browser, and never mixes two
// users of a shared workstation. Nothing in it is secret: catalog entries the user could read.
import type { ShareMethod, ShareType } from '../api/types';

export interface CartItem {
  column: string;
  name: string;
  /** The item's own share type (null: the entry's). */
  shareType: ShareType | null;
  piiKind: string | null;
}

export interface CartEntry {
  catalogId: string;
  code: string;
  name: string;
  providerName: string;
  shareType: ShareType;
  shareMethods: ShareMethod[];
  items: CartItem[];
  /** The columns chosen (a subset of the shareable items). */
  selected: string[];
  addedAt: string;
}

/** The cart's longest list: the batch route takes at most 50 applications. */
export const CART_MAX = 50;
const CHANGED = 'tianshu-cart-changed';

export const cartKey = (userId: string): string => `tianshu.cart.${userId}`;

interface Storage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function store(): Storage | undefined {
  return typeof localStorage === 'undefined' ? undefined : localStorage;
}

function isEntry(v: unknown): v is CartEntry {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  return typeof e.catalogId === 'string' && typeof e.name === 'string' && Array.isArray(e.items) && Array.isArray(e.selected) && Array.isArray(e.shareMethods);
}

export function readCart(userId: string, s: Storage | undefined = store()): CartEntry[] {
  const text = s?.getItem(cartKey(userId));
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
  } catch {
    return [];
  }
}

export function writeCart(userId: string, entries: readonly CartEntry[], s: Storage | undefined = store()): void {
  if (!s) return;
  if (entries.length === 0) s.removeItem(cartKey(userId));
  else s.setItem(cartKey(userId), JSON.stringify(entries));
  if (typeof window !== 'undefined') window.dispatchEvent(new CustomEvent(CHANGED, { detail: userId }));
}

/** Adds or replaces the entry (one line per catalog entry); false when the cart is full. */
export function addToCart(userId: string, entry: CartEntry, s: Storage | undefined = store()): boolean {
  const cart = readCart(userId, s);
  const at = cart.findIndex((e) => e.catalogId === entry.catalogId);
  if (at >= 0) cart[at] = entry;
  else if (cart.length >= CART_MAX) return false;
  else cart.push(entry);
  writeCart(userId, cart, s);
  return true;
}

export function removeFromCart(userId: string, catalogIds: readonly string[], s: Storage | undefined = store()): void {
  writeCart(userId, readCart(userId, s).filter((e) => !catalogIds.includes(e.catalogId)), s);
}

/** Calls `listener` whenever this user's cart changes, in this tab or another one. */
export function onCartChange(userId: string, listener: () => void): () => void {
  const own = (e: Event) => {
    if ((e as CustomEvent<string>).detail === userId) listener();
  };
  const other = (e: StorageEvent) => {
    if (e.key === cartKey(userId)) listener();
  };
  window.addEventListener(CHANGED, own);
  window.addEventListener('storage', other);
  return () => {
    window.removeEventListener(CHANGED, own);
    window.removeEventListener('storage', other);
  };
}

/** The items an application may ask for: an item whose own share type is `none` is never shared. */
export const shareableItems = <T extends { shareType: ShareType | null }>(items: readonly T[]): T[] => items.filter((i) => i.shareType !== 'none');

/** The methods to ask for an entry: the chosen ones it offers. */
export const methodsFor = (entry: Pick<CartEntry, 'shareMethods'>, chosen: readonly ShareMethod[]): ShareMethod[] => chosen.filter((m) => entry.shareMethods.includes(m));
