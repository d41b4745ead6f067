import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';

import { parseMessage, type ParsedMessage } from './parse';

interface Job {
  source: Buffer;
  resolve: (message: ParsedMessage) => void;
  reject: (e: Error) => void;
}

interface ParseWorker {
  worker: Worker;
  jobs: Map<number, Job>;
  answered: boolean;
  ending: boolean;
}

/** Messages a worker has in hand at once (the rest wait in the pool's queue, for whichever lane is free first). */
const PER_WORKER = 8;
/** Workers end after this long without work; the next message starts them again. */
const IDLE_MS = 60_000;

/** The built worker (dist/parse-worker/index.js beside dist/server/); absent when running from source. */
function workerFile(): string | undefined {
  if (typeof __dirname === 'undefined') return undefined;
  const file = join(__dirname, '..', 'parse-worker', 'index.js');
  return existsSync(file) ? file : undefined;
}

/**
 * Parses the sources of a chunk as they arrive, a bounded number at a time: in this thread (16 at
 * once; mailparser waits for the event loop between the parts of a message, so a few interleave
 * better than one after the other), and with `size` > 0 in worker threads too, so that MIME
 * parsing (the larger part of a fetch's CPU time) runs beside the main thread's IMAP and database
 * work on machines with cores to spare. Then this thread takes 2 at a time and the overflow goes
 * to the workers, 8 each, started when there is an overflow (a poll of a few messages starts
 * none; a new worker's code is cold, slower than this thread's for its first thousand messages or
 * so). Streamed sources are parsed in this thread, as they stream; workers that cannot start
 * leave the work to this thread.
 */
export class ParserPool {
  private workers: ParseWorker[] = [];
  private queue: Job[] = [];
  private local = 0;
  private nextId = 1;
  private idle?: NodeJS.Timeout;
  private broken = false;

  constructor(
    private readonly size: number,
    /**
     * How many messages this thread parses at once: a few interleave well (mailparser waits for
     * the event loop between parts), many only hold more memory.
     */
    private readonly inThread = size > 0 ? 2 : 16,
    private readonly file: string | undefined = workerFile()
  ) {}

  /** Whether parsing goes to worker threads. */
  get threaded(): boolean {
    return this.size > 0 && Boolean(this.file) && !this.broken;
  }

  parse(source: Readable | Buffer): Promise<ParsedMessage> {
    if (!Buffer.isBuffer(source)) return parseMessage(source).then((r) => r.message);
    clearTimeout(this.idle);
    return new Promise<ParsedMessage>((resolve, reject) => {
      this.queue.push({ source, resolve, reject });
      this.pump();
    });
  }

  /** Hands queued sources to whichever has room: this thread, or a worker (started when needed). */
  private pump() {
    while (this.queue.length) {
      // this thread first, up to its share: a poll of a few messages never starts a worker
      if (this.local < this.inThread) {
        this.parseHere(this.queue.shift()!);
        continue;
      }
      let target = this.workers.find((w) => w.jobs.size < PER_WORKER);
      if (!target && this.workers.length < this.size && this.threaded) {
        try {
          target = this.start();
        } catch {
          this.broken = true; // no workers here (resource limits, a sandbox): this thread parses
        }
      }
      if (target) {
        this.send(target, this.queue.shift()!);
        continue;
      }
      if (!this.threaded && !this.workers.length && this.local < Math.max(this.inThread, 16)) {
        this.parseHere(this.queue.shift()!);
        continue;
      }
      return;
    }
    if (!this.local && this.workers.every((w) => !w.jobs.size)) this.idleSoon();
  }

  private parseHere(job: Job) {
    this.local++;
    parseMessage(job.source).then(
      (r) => job.resolve(r.message),
      (e: Error) => job.reject(e)
    ).finally(() => {
      this.local--;
      this.pump();
    });
  }

  private send(target: ParseWorker, job: Job) {
    const id = this.nextId++;
    // A copy of its own, transferred: a Buffer is often a view into a larger shared one.
    const copy = new Uint8Array(job.source.length);
    copy.set(job.source);
    target.jobs.set(id, job);
    target.worker.ref();
    target.worker.postMessage({ id, source: copy }, [copy.buffer]);
  }

  private start(): ParseWorker {
    const entry: ParseWorker = { worker: new Worker(this.file!), jobs: new Map(), answered: false, ending: false };
    const fail = (e: Error) => {
      if (!this.workers.includes(entry) && !entry.jobs.size) return;
      this.workers = this.workers.filter((w) => w !== entry);
      for (const job of entry.jobs.values()) job.reject(e);
      entry.jobs.clear();
      // one that never answered will not work here (a missing module, resource limits): this thread parses
      if (!entry.answered) this.broken = true;
      if (!entry.ending) this.pump();
    };
    entry.worker.on('message', (answer: { id: number; message?: ParsedMessage; error?: { name: string; message: string } }) => {
      entry.answered = true;
      const job = entry.jobs.get(answer.id);
      if (!job) return;
      entry.jobs.delete(answer.id);
      if (answer.error) job.reject(Object.assign(new Error(answer.error.message), { name: answer.error.name }));
      else job.resolve(answer.message!);
      if (!entry.jobs.size) entry.worker.unref();
      this.pump();
    });
    entry.worker.on('error', fail);
    entry.worker.on('exit', (code) => fail(new Error(`the parse worker stopped (exit code ${code})`)));
    this.workers.push(entry);
    return entry;
  }

  private idleSoon() {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => void this.close(), IDLE_MS);
    this.idle.unref();
  }

  /** Ends the workers (the plugin's destroy; idle workers end by themselves). */
  async close(): Promise<void> {
    clearTimeout(this.idle);
    const workers = this.workers;
    this.workers = [];
    for (const w of workers) w.ending = true;
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
