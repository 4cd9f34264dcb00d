// The TCP listener: Bun.listen socket handlers, one per bound address; creates a Connection per
// client and routes socket events to it. Owns nothing but the listening sockets.
import type { TCPSocketListener } from "bun";
import type { Server } from "../server.ts";
import { Connection } from "./client.ts";

/** Redis's refusal of a non-loopback client in protected mode (sent, then the connection closes). */
export const PROTECTED_MODE_DENIED =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/** Matches Redis 7.0: only these peer addresses count as loopback for protected mode. */
function isLoopback(ip: string | undefined): boolean {
  return ip === "127.0.0.1" || ip === "::1" || ip === "::ffff:127.0.0.1";
}

export class Listener {
  readonly #server: Server;
  readonly #sockets: TCPSocketListener<Connection>[] = [];
  port = 0;

  constructor(server: Server) {
    this.#server = server;
  }

  listen(): void {
    const srv = this.#server;
    let port = srv.config.port;
    for (const host of srv.config.bind) {
      const hostname = host.startsWith("-") ? host.slice(1) : host;
      const l = Bun.listen<Connection>({
        hostname,
        port,
        socket: {
          open(socket) {
            // Matches Redis: refused connections count in rejected_connections, not in
            // total_connections_received.
            if (srv.clients.size >= srv.config.maxclients) {
              srv.stats.rejectedConnections++;
              socket.write("-ERR max number of clients reached\r\n");
              socket.end();
              return;
            }
            // Matches Redis 7.0: protected mode (on, and no password for the default user) lets
            // only loopback clients in, whatever the bind addresses.
            if (srv.config.requirepass === "" && srv.config.get("protected-mode") === "yes" && !isLoopback(socket.remoteAddress)) {
              srv.stats.rejectedConnections++;
              socket.write(PROTECTED_MODE_DENIED);
              socket.end();
              return;
            }
            srv.stats.connectionsReceived++;
            const keepalive = srv.config.num("tcp-keepalive");
            if (keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
            socket.data = new Connection(srv, socket);
          },
          data(socket, data) {
            socket.data?.onData(data);
          },
          drain(socket) {
            socket.data?.onDrain();
          },
          close(socket) {
            socket.data?.onClose();
          },
          error(socket, err) {
            srv.log.verbose(`socket error: ${err.message}`);
            socket.data?.onClose();
          },
        },
      });
      port = l.port;
      this.#sockets.push(l);
    }
    this.port = port;
  }

  close(): void {
    for (const l of this.#sockets) l.stop(true);
    this.#sockets.length = 0;
  }
}
