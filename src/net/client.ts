// One TCP connection: input buffering, parsing loop, batching replies into one socket.write,
// keeping what the socket did not take until `drain`. Owns the socket; commands never see it.
import type { Socket } from "bun";
import { NEED_MORE, PROTO_ERROR, RequestParser } from "../resp/parser.ts";
import { processCommand } from "../commands/dispatch.ts";
import type { Context } from "../commands/context.ts";
import type { Server } from "../server.ts";

/**
 * Output a client may leave unread before we stop running its requests: past it the socket's
 * reading is paused until the output drains, so a client that never reads cannot grow our memory
 * without bound (Redis has no limit for normal clients; TCP backpressure is our limit).
 */
export const OUTPUT_HIGH_WATER = 32 * 1024 * 1024;

export class Connection {
  readonly ctx: Context;
  readonly server: Server;
  socket: Socket<Connection>;
  readonly parser = new RequestParser();
  /** Unparsed input carried between data events (partial requests). */
  #in: Buffer | null = null;
  #inLen = 0;
  /** Output the socket has not accepted yet, in order. */
  #out: Uint8Array[] = [];
  #outBytes = 0;
  /** Reading paused because unsent output passed OUTPUT_HIGH_WATER. */
  #throttled = false;
  /** A request is held by CLIENT PAUSE: input waits unread until the pause ends. */
  #postponed = false;
  #pauseTimer: ReturnType<typeof setTimeout> | null = null;
  closed = false;

  constructor(server: Server, socket: Socket<Connection>) {
    this.server = server;
    this.socket = socket;
    this.ctx = server.newClient();
    const c = this.ctx;
    c.addr = `${socket.remoteAddress}:${(socket as { remotePort?: number }).remotePort ?? 0}`;
    c.laddr = `${(socket as { localAddress?: string }).localAddress ?? "127.0.0.1"}:${(socket as { localPort?: number }).localPort ?? server.port}`;
    c.fd = (socket as unknown as { fd?: number }).fd ?? -1;
    c.kill = () => this.close();
    server.setFlusher(c, () => this.flush());
    // Once a blocking command is served or times out, run the input that waited behind it.
    c.resume = () => queueMicrotask(() => this.#resume());
  }

  /** Bytes arrived: parse and run every complete request, then write all replies at once. */
  onData(chunk: Buffer): void {
    const srv = this.server;
    const c = this.ctx;
    // Matches Redis: once closing (QUIT, protocol error) no further request runs, even while
    // the last replies are still being written.
    if (this.closed || c.closeAfterReply) return;
    srv.stats.netInputBytes += chunk.length;
    srv.stats.readsProcessed++;
    c.lastInteractionMs = srv.clock.now();
    let buf: Buffer;
    let end: number;
    if (this.#inLen > 0 || c.blocked || this.#throttled || this.#postponed) {
      this.#append(chunk);
      buf = this.#in!;
      end = this.#inLen;
      if (end > srv.config.queryBufferLimit) {
        srv.log.warning(`Closing client that reached max query buffer length (qbuf=${end})`);
        this.close();
        return;
      }
      if (c.blocked || this.#throttled || this.#postponed) {
        // Matches Redis: a blocked client's further requests wait in its query buffer.
        c.pendingInput = end;
        return;
      }
      if (end < this.parser.need) {
        c.pendingInput = end;
        return;
      }
    } else {
      buf = chunk;
      end = chunk.length;
    }
    const pos = this.#run(buf, end);
    if (this.closed) return;
    this.#keep(buf, pos, end);
    this.flush();
  }

  /** Parse and execute requests in buf[0,end); returns where unconsumed input starts. */
  #run(buf: Buffer, end: number): number {
    const srv = this.server;
    srv.callChain = -2;
    try {
      return this.#runRequests(buf, end);
    } finally {
      srv.callChain = -1;
    }
  }

  #runRequests(buf: Buffer, end: number): number {
    const c = this.ctx;
    const parser = this.parser;
    parser.maxBulkLen = this.server.config.protoMaxBulkLen;
    parser.authRequired = !c.authenticated;
    let pos = 0;
    while (pos < end) {
      const start = pos;
      const r = parser.parse(buf, pos, end, c.args);
      if (r === NEED_MORE) break;
      if (r === PROTO_ERROR) {
        c.error(parser.error);
        this.server.log.verbose(`Protocol error (${parser.error}) from client: id=${c.id} addr=${c.addr}`);
        c.closeAfterReply = true;
        return end;
      }
      pos = r;
      if (c.args.argc > 0) {
        if (!processCommand(c)) return this.#postpone(start);
        parser.authRequired = !c.authenticated;
        if (c.closeAfterReply) return end;
        if (c.blocked) return pos;
        if (c.reply.pos + this.#outBytes > OUTPUT_HIGH_WATER && this.#throttle()) return pos;
      }
    }
    return pos;
  }

  /** Unblocked: process requests that arrived (or were pipelined) while blocked, then write. */
  #resume(): void {
    if (this.closed || this.ctx.blocked || this.#throttled || this.#postponed) return;
    if (this.#inLen > 0) {
      const buf = this.#in!;
      const end = this.#inLen;
      const pos = this.#run(buf, end);
      if (this.closed) return;
      this.#keep(buf, pos, end);
    }
    this.flush();
  }

  /** CLIENT PAUSE holds the request at start: keep it and what follows unread until the pause
   * ends (its deadline, or CLIENT UNPAUSE through server.pausedClients), then run it again. */
  #postpone(start: number): number {
    const srv = this.server;
    this.#postponed = this.ctx.postponed = true;
    srv.pausedClients.add(this.#wake);
    const delay = Math.min(Math.max(srv.pauseUntilMs - srv.clock.now(), 1), 0x7fffffff);
    this.#pauseTimer = setTimeout(this.#pauseEnded, delay);
    return start;
  }

  /**
   * The pause deadline passed: resume every held client in the order they were held, as Redis
   * does (each client's own timer could fire in any order for one shared deadline).
   */
  readonly #pauseEnded = (): void => {
    for (const wake of Array.from(this.server.pausedClients)) wake();
  };

  readonly #wake = (): void => {
    if (!this.#postponed) return;
    this.#postponed = this.ctx.postponed = false;
    if (this.#pauseTimer !== null) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = null;
    this.server.pausedClients.delete(this.#wake);
    // Still paused (a longer PAUSE came meanwhile)? #run postpones the request again.
    this.#resume();
  };

  /** Too much output waits: write it now; if the socket refuses some, stop reading until drained. */
  #throttle(): boolean {
    this.flush();
    if (this.#outBytes === 0 || this.closed) return false;
    this.#throttled = true;
    this.socket.pause();
    return true;
  }

  /** Keep buf[pos,end) for the next data event. */
  #keep(buf: Buffer, pos: number, end: number): void {
    const rest = end - pos;
    if (rest === 0) {
      this.#inLen = 0;
      if (this.#in !== null && this.#in.length > 64 * 1024) this.#in = null;
    } else if (buf === this.#in) {
      if (pos > 0) buf.copyWithin(0, pos, end);
      this.#inLen = rest;
    } else {
      this.#inLen = 0;
      this.#append(buf.subarray(pos, end));
    }
    this.ctx.pendingInput = this.#inLen;
    this.ctx.inputFree = this.#in === null ? 0 : this.#in.length - this.#inLen;
  }

  #append(data: Uint8Array): void {
    const need = this.#inLen + data.length;
    if (this.#in === null || this.#in.length < need) {
      // Grow geometrically, never beyond what has actually arrived times two (a client claiming
      // a huge bulk gets no huge buffer), and exactly to what the parser needs when that is less.
      const want = Math.max(16 * 1024, this.parser.need > need ? Math.min(this.parser.need, need * 2) : need * 2);
      const nb = Buffer.allocUnsafe(want);
      if (this.#in !== null && this.#inLen > 0) nb.set(this.#in.subarray(0, this.#inLen));
      this.#in = nb;
    }
    this.#in.set(data, this.#inLen);
    this.#inLen = need;
  }

  /** Write the reply buffer (after anything still queued); queue what the socket refuses. */
  flush(): void {
    const srv = this.server;
    const reply = this.ctx.reply;
    if (this.closed) {
      reply.reset();
      return;
    }
    if (reply.pos > 0) {
      // Held until the AOF's end-of-turn write (and fsync); it flushes us again then.
      if (!srv.beforeReplies(this.ctx)) return;
      const len = reply.pos;
      srv.stats.netOutputBytes += len;
      srv.stats.writesProcessed++;
      let wrote = 0;
      if (this.#outBytes === 0) {
        // (buffer, offset, length): no view object per write.
        const n = this.socket.write(reply.buf, 0, len);
        wrote = n < 0 ? 0 : n;
      }
      if (wrote < len) {
        const data = reply.buf.subarray(0, len);
        if (reply.pos > 256 * 1024) {
          // A big remainder: hand the reply buffer over instead of copying it.
          this.#queueOwned(data.subarray(wrote));
          reply.buf = Buffer.allocUnsafe(16 * 1024);
        } else {
          this.#queueOwned(Uint8Array.prototype.slice.call(data, wrote));
        }
      }
      reply.reset();
    }
    if (this.ctx.closeAfterReply && this.#outBytes === 0) this.close();
  }

  /** Queue bytes that no one else will write to. */
  #queueOwned(data: Uint8Array): void {
    this.#out.push(data);
    this.#outBytes += data.length;
    this.ctx.pendingOutput = this.#outBytes;
    this.ctx.outputChunks = this.#out.length;
  }

  /** The socket can take more: send queued output in order. */
  onDrain(): void {
    while (this.#out.length > 0 && !this.closed) {
      const head = this.#out[0]!;
      const n = this.socket.write(head);
      const wrote = n < 0 ? 0 : n;
      this.#outBytes -= wrote;
      if (wrote < head.length) {
        this.#out[0] = head.subarray(wrote);
        break;
      }
      this.#out.shift();
    }
    this.ctx.pendingOutput = this.#outBytes;
    this.ctx.outputChunks = this.#out.length;
    if (this.#outBytes !== 0) return;
    if (this.ctx.closeAfterReply) this.close();
    else if (this.#throttled) {
      this.#throttled = false;
      this.socket.resume();
      this.#resume();
    }
  }

  /** Forget a pending CLIENT PAUSE wait (the connection is going away). */
  #unpostpone(): void {
    if (this.#pauseTimer !== null) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = null;
    this.#postponed = this.ctx.postponed = false;
    this.server.pausedClients.delete(this.#wake);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#unpostpone();
    this.#out = [];
    this.#outBytes = 0;
    this.server.removeClient(this.ctx);
    this.socket.end();
  }

  /** The peer went away. */
  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.#unpostpone();
    this.#out = [];
    this.#outBytes = 0;
    this.#in = null;
    this.#inLen = 0;
    this.server.removeClient(this.ctx);
  }
}
