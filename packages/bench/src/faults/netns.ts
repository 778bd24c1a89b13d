import { execFileSync } from 'node:child_process';
import { onCleanup } from './cleanup.js';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'ignore' });
}

/**
 * A network namespace joined to this machine by a veth pair, addresses in 10.231.N.0/30 (this
 * machine only: the namespace is made here and removed at the end). The host side's link is what
 * `cut` and `heal` turn off and on: a partition that sends no reset, as a pulled cable.
 */
export class Netns {
  readonly name: string;
  /** The host's address on the link (services the namespace must reach listen here too). */
  readonly hostAddress: string;
  /** The namespace's address. */
  readonly nsAddress: string;
  readonly #hostLink: string;

  private constructor(tag: number) {
    this.name = `salon-faults-${String(tag)}`;
    this.#hostLink = `sf${String(tag)}h`;
    this.hostAddress = `10.231.${String(tag)}.1`;
    this.nsAddress = `10.231.${String(tag)}.2`;
  }

  static create(): Netns {
    const tag = process.pid % 250;
    const ns = new Netns(tag);
    const nsLink = `sf${String(tag)}n`;
    ip('netns', 'add', ns.name);
    onCleanup(() => ip('netns', 'del', ns.name));
    ip('link', 'add', ns.#hostLink, 'type', 'veth', 'peer', 'name', nsLink);
    onCleanup(() => ip('link', 'del', ns.#hostLink));
    ip('link', 'set', nsLink, 'netns', ns.name);
    ip('addr', 'add', `${ns.hostAddress}/30`, 'dev', ns.#hostLink);
    ip('link', 'set', ns.#hostLink, 'up');
    ip('netns', 'exec', ns.name, 'ip', 'addr', 'add', `${ns.nsAddress}/30`, 'dev', nsLink);
    ip('netns', 'exec', ns.name, 'ip', 'link', 'set', nsLink, 'up');
    ip('netns', 'exec', ns.name, 'ip', 'link', 'set', 'lo', 'up');
    return ns;
  }

  cut(): void {
    ip('link', 'set', this.#hostLink, 'down');
  }

  heal(): void {
    ip('link', 'set', this.#hostLink, 'up');
  }
}
