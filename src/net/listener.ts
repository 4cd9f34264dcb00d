// The TCP listener: Bun.listen socket handlers, one per bound address; creates a Connection per
// client and routes socket events to it. Owns nothing but the listening sockets.
import type { TCPSocketListener } from "bun";
import type { Server } from "../server.ts";
import { Connection } from "./client.ts";

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
            srv.stats.connectionsReceived++;
            if (srv.clients.size >= srv.config.maxclients) {
              srv.stats.rejectedConnections++;
              socket.write("-ERR max number of clients reached\r\n");
              socket.end();
              return;
            }
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
