import dns2 from 'dns2';

const { Packet } = dns2;

/**
 * A local DNS server (dns2, over UDP on 127.0.0.1) for discovery tests: MX, SRV and A records
 * for the names a test gives, NXDOMAIN for names it does not know, and names that get no answer
 * at all (a server that times out). Names are matched without case and trailing dot; a name
 * that only has names below it (example.test under _imaps._tcp.example.test) exists, with no
 * records (NODATA), as in a real zone.
 */
export interface MxData { exchange: string; priority: number }
export interface SrvData { target: string; port: number; priority?: number; weight?: number }

export interface LocalDnsServer {
  /** host:port, as the discovery option `dnsServers` takes it. */
  address: string;
  mx(name: string, records: MxData[]): void;
  srv(name: string, records: SrvData[]): void;
  a(name: string, address: string): void;
  /** Queries for this name and every name below it get no answer (the client times out). */
  silence(name: string): void;
  /** Forget every record and silenced name. */
  reset(): void;
  /** The questions asked so far, as `TYPE name`. */
  queries: string[];
  stop(): Promise<void>;
}

/** A record as dns2's encoder reads it: plain fields (the typings ask for the decoder's methods too). */
const record = (fields: Partial<dns2.Packet.Resource>) => fields as dns2.Packet.Resource;
const norm = (name: string) => name.toLowerCase().replace(/\.$/, '');
const TYPE_NAME = new Map(Object.entries(Packet.TYPE).map(([k, v]) => [v as number, k]));

export async function startDnsServer(): Promise<LocalDnsServer> {
  const records = new Map<string, { mx: MxData[]; srv: SrvData[]; a: string[] }>();
  const silenced = new Set<string>();
  const queries: string[] = [];
  const entry = (name: string) => {
    const key = norm(name);
    if (!records.has(key)) records.set(key, { mx: [], srv: [], a: [] });
    return records.get(key)!;
  };
  const exists = (name: string) => records.has(name) || [...records.keys()].some((k) => k.endsWith(`.${name}`));

  const server = dns2.createServer({
    udp: true,
    handle(request, send) {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = norm(question?.name ?? '');
      queries.push(`${TYPE_NAME.get(question?.type) ?? question?.type} ${name}`);
      if ([...silenced].some((s) => name === s || name.endsWith(`.${s}`))) return; // no answer: the resolver's timeout
      response.header.aa = 1;
      const found = records.get(name);
      if (!found && !exists(name)) {
        response.header.rcode = Packet.RCODE.NXDOMAIN;
        void send(response);
        return;
      }
      const base = { name: question.name, class: Packet.CLASS.IN, ttl: 60 };
      if (question.type === Packet.TYPE.MX) {
        for (const r of found?.mx ?? []) response.answers.push(record({ ...base, type: Packet.TYPE.MX, exchange: r.exchange, priority: r.priority }));
      } else if (question.type === Packet.TYPE.SRV) {
        for (const r of found?.srv ?? []) {
          response.answers.push(record({ ...base, type: Packet.TYPE.SRV, priority: r.priority ?? 0, weight: r.weight ?? 0, port: r.port, target: r.target }));
        }
      } else if (question.type === Packet.TYPE.A) {
        for (const address of found?.a ?? []) response.answers.push(record({ ...base, type: Packet.TYPE.A, address }));
      }
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });

  return {
    address: `127.0.0.1:${addresses.udp!.port}`,
    mx: (name, list) => void entry(name).mx.push(...list),
    srv: (name, list) => void entry(name).srv.push(...list),
    a: (name, address) => void entry(name).a.push(address),
    silence: (name) => void silenced.add(norm(name)),
    reset() {
      records.clear();
      silenced.clear();
      queries.length = 0;
    },
    queries,
    async stop() {
      await server.close();
    },
  };
}
