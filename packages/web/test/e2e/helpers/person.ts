import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { onTestFinished } from 'vitest';
import { testPhone, type ServerAddress } from '../../../../server/test/helpers/salon-server.js';
import { ARTIFACTS_DIR } from './artifacts.js';
import { expectEventually, UI_TIMEOUT_MS } from './expect-eventually.js';

/** A phone-sized screen (iPhone 12 to 15), where the list and a conversation take turns. */
export const PHONE_VIEWPORT = { width: 390, height: 844 };
/** A laptop's window, where the list and the conversation sit side by side. */
export const DESKTOP_VIEWPORT = { width: 1280, height: 800 };
/** The two screens the tests that depend on layout run on (`describe.each(SCREENS)`). */
export const SCREENS = [
  { screen: 'a phone', viewport: PHONE_VIEWPORT },
  { screen: 'a desktop', viewport: DESKTOP_VIEWPORT },
];

export interface PersonOptions {
  /** The name typed at "Your name"; also names the screenshot. */
  name: string;
  phone?: string;
  /** Default: 1280×800. */
  viewport?: { width: number; height: number };
  /** A touch screen without a mouse (default: for viewports narrower than 760 px). */
  touch?: boolean;
  /** Runs on the fresh context before the app loads (routes, offline switches). */
  prepare?: (context: BrowserContext) => Promise<void>;
}

/**
 * One person using the web app: a browser context of their own (own cookies, so own session),
 * signed in through the UI. Closes itself when the test finishes, after a screenshot if it failed.
 */
export class Person {
  readonly name: string;
  readonly phone: string;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly #pageErrors: string[] = [];

  private constructor(name: string, phone: string, context: BrowserContext, page: Page) {
    this.name = name;
    this.phone = phone;
    this.context = context;
    this.page = page;
    page.on('pageerror', (err) => this.#pageErrors.push(err.message));
  }

  /** Opens the app on `server` and signs in: phone, code from the SMS fake, then the name. */
  static async signIn(
    browser: Browser,
    server: Pick<ServerAddress, 'url' | 'sms'>,
    options: PersonOptions,
  ): Promise<Person> {
    const viewport = options.viewport ?? DESKTOP_VIEWPORT;
    const touch = options.touch ?? viewport.width < 760;
    const context = await browser.newContext({ viewport, hasTouch: touch, isMobile: touch });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const page = await context.newPage();
    const person = new Person(options.name, options.phone ?? testPhone(), context, page);
    onTestFinished(async ({ task }) => {
      if (task.result?.state === 'fail') await person.#screenshot(task.name);
      await context.close();
    });
    await options.prepare?.(context);

    await page.goto(server.url);
    await page.getByRole('textbox', { name: 'Phone number' }).fill(person.phone);
    await page.getByRole('button', { name: 'Send code' }).click();
    const code = await server.sms.nextCode(person.phone);
    await page.getByRole('textbox', { name: 'Code' }).fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('textbox', { name: 'Your name' }).fill(person.name);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'New message' }).waitFor();
    return person;
  }

  // ------------------------------------------------------------ where things are

  conversationList(): Locator {
    return this.page.getByRole('list', { name: 'Conversation list' });
  }

  /** The list's entry for a conversation, by its title (the other person's name in a DM). */
  conversation(title: string): Locator {
    return this.conversationList().getByRole('listitem', { name: title, exact: true });
  }

  /** The "Requests" list: message requests and group invitations waiting for an answer. */
  requests(): Locator {
    return this.page.getByRole('list', { name: 'Requests' });
  }

  /** A request's or invitation's entry, by its title (the sender's name, or the group's). */
  request(title: string): Locator {
    return this.requests().getByRole('listitem', { name: title, exact: true });
  }

  log(): Locator {
    return this.page.getByRole('log', { name: 'Messages' });
  }

  messageField(): Locator {
    return this.page.getByRole('textbox', { name: 'Message' });
  }

  /** The connection banner (a `status` region, empty while connected over WebSocket). */
  banner(): Locator {
    return this.page.getByRole('status');
  }

  /** "Ana is typing…" and the like. */
  typingLine(): Locator {
    return this.page.getByText(/typing…$/);
  }

  /** The log's message items carrying `text`. */
  messageItems(text: string): Locator {
    return this.log().getByRole('listitem').filter({ hasText: text });
  }

  // ------------------------------------------------------------ doing things

  async openConversation(title: string): Promise<void> {
    await this.conversation(title).getByRole('link').click();
    await this.log().waitFor();
  }

  /** Opens a message request or group invitation from the "Requests" list. */
  async openRequest(title: string): Promise<void> {
    await this.request(title).getByRole('link').click();
    await this.log().waitFor();
  }

  /**
   * Answers a message request (Accept) or group invitation (Join) as a person would: opens it
   * from "Requests" unless it is open already, then waits for the answer buttons to go.
   */
  async acceptRequest(title: string): Promise<void> {
    const panel = this.page.getByRole('region', { name: /^(Message request|Group invitation)$/ });
    const heading = this.page.getByRole('heading', { name: title, exact: true });
    if (!((await panel.isVisible()) && (await heading.isVisible()))) await this.openRequest(title);
    await panel.getByRole('button', { name: /^(Accept|Join)$/ }).click();
    await panel.waitFor({ state: 'detached' });
  }

  /** Starts (or reopens) a DM by phone number through "New message". */
  async startDm(phone: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New message' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New message' });
    await dialog.getByRole('textbox', { name: 'Name or phone number' }).fill(phone);
    await dialog.getByRole('button', { name: 'Start conversation' }).click();
    await this.log().waitFor();
  }

  /** Creates a group through "New group" with members given by phone number; opens it. */
  async createGroup(name: string, phones: readonly string[]): Promise<void> {
    await this.page.getByRole('button', { name: 'New group' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New group' });
    await dialog.getByRole('textbox', { name: 'Group name' }).fill(name);
    await dialog.getByRole('textbox', { name: 'Members' }).fill(phones.join('\n'));
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await this.page.getByRole('heading', { name }).waitFor();
  }

  /** Opens the Profile dialog (from the list: on a phone, back from a conversation first). */
  async openProfile(): Promise<Locator> {
    const back = this.page.getByRole('link', { name: 'Back to conversations' });
    if (await back.isVisible()) await back.click();
    await this.page.getByRole('button', { name: 'Profile' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Profile' });
    await dialog.waitFor();
    return dialog;
  }

  /** Opens a message's actions menu with its "Message actions" button. */
  async openMessageMenu(text: string): Promise<Locator> {
    const item = this.messageItems(text);
    await item.hover();
    await item.getByRole('button', { name: 'Message actions' }).click();
    const menu = this.page.getByRole('menu', { name: 'Message actions' });
    await menu.waitFor();
    return menu;
  }

  /**
   * Where the keyboard focus is: "tag: name" (aria-label, else the start of its text), or
   * "body" when it fell back to the page.
   */
  async focused(): Promise<string> {
    const el = this.page.locator(':focus');
    if ((await el.count()) === 0) return 'body';
    return el.evaluate(
      (node: {
        tagName: string;
        textContent: string | null;
        getAttribute(name: string): string | null;
      }) => {
        const name = node.getAttribute('aria-label') ?? (node.textContent ?? '').slice(0, 60);
        return `${node.tagName.toLowerCase()}: ${name}`.trim();
      },
    );
  }

  /** The open conversation's room id (from the address bar). */
  roomId(): string {
    const match = /\/rooms\/([^/]+)/.exec(new URL(this.page.url()).pathname);
    if (!match?.[1]) throw new Error(`${this.name} has no conversation open`);
    return decodeURIComponent(match[1]);
  }

  /** Sends messages over the HTTP API with this person's session (faster than typing them). */
  async postMessages(roomId: string, texts: readonly string[]): Promise<void> {
    await this.page.evaluate(
      async ({ roomId, texts }) => {
        for (const body of texts) {
          const res = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ body, client_id: crypto.randomUUID() }),
          });
          if (!res.ok) throw new Error(`send failed: ${String(res.status)}`);
        }
      },
      { roomId, texts },
    );
  }

  /** This person's unread count for a room as the server has it (their read mark's effect). */
  async serverUnread(roomId: string): Promise<number> {
    return this.page.evaluate(async (roomId) => {
      const res = await fetch('/api/rooms');
      const body = (await res.json()) as { rooms: { id: string; unread_count: number }[] };
      return body.rooms.find((room) => room.id === roomId)?.unread_count ?? -1;
    }, roomId);
  }

  /** Types into "Message" and presses "Send". */
  async send(text: string): Promise<void> {
    await this.messageField().fill(text);
    await this.page.getByRole('button', { name: 'Send' }).click();
  }

  // ------------------------------------------------------------ reading the page

  /** The unread count the list shows for a conversation (0 when it shows none). */
  async unreadCount(title: string): Promise<number> {
    // A request not yet answered counts its unread messages too.
    const entry = this.conversation(title).or(this.request(title));
    const text = await entry.innerText({ timeout: 1000 });
    const match = /(\d+) unread/.exec(text);
    return match ? Number(match[1]) : 0;
  }

  /**
   * Which of `texts` the log shows, in the order shown, one entry per message item carrying it:
   * equal to `texts` means all there, in order, exactly once.
   */
  async shownTexts(texts: readonly string[]): Promise<string[]> {
    const items = await this.log().getByRole('listitem').allInnerTexts();
    return items.flatMap((item) => texts.filter((text) => item.includes(text)));
  }

  /** Waits until the log shows exactly `texts` (of those), in this order, once each. */
  async expectMessages(texts: readonly string[], timeoutMs?: number): Promise<void> {
    await expectEventually(
      `${this.name}'s log to show ${texts.length} messages in order`,
      () => this.shownTexts(texts),
      [...texts],
      timeoutMs,
    );
  }

  async expectUnread(title: string, count: number, timeoutMs?: number): Promise<void> {
    await expectEventually(
      `${this.name}'s list to show ${count} unread in "${title}"`,
      () => this.unreadCount(title),
      count,
      timeoutMs,
    );
  }

  async #screenshot(testName: string): Promise<void> {
    const file = path.join(ARTIFACTS_DIR, `${slug(testName)}--${slug(this.name)}.png`);
    try {
      fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
      await this.page.screenshot({ path: file, fullPage: true, timeout: 5000 });
      console.error(`[e2e] screenshot of ${this.name}'s page: ${file}`);
    } catch (err) {
      console.error(`[e2e] no screenshot of ${this.name}'s page:`, err);
    }
    if (this.#pageErrors.length > 0) {
      console.error(`[e2e] errors on ${this.name}'s page:\n${this.#pageErrors.join('\n')}`);
    }
  }
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 100);
}
