// gRPC server reflection (grpc.reflection.v1 and v1alpha): grpcurl and evans list the services and
// fetch their descriptors from the server itself, without the proto file. Answers from the
// descriptors compiled into generated/proto (each file with its imports, as the protocol asks).
import { create, type DescFile, type DescMessage, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { ConnectRouter } from '@connectrpc/connect';
import * as v1 from '../../generated/proto/grpc/reflection/v1/reflection_pb.js';
import * as v1alpha from '../../generated/proto/grpc/reflection/v1alpha/reflection_pb.js';

const NOT_FOUND = 5; // the gRPC status code the protocol's ErrorResponse carries

/** Every file reachable from the served files, and every symbol they declare → its file. */
function index(files: DescFile[]) {
  const byName = new Map<string, DescFile>();
  const bySymbol = new Map<string, DescFile>();
  const addMessage = (file: DescFile, m: DescMessage) => {
    bySymbol.set(m.typeName, file);
    for (const n of m.nestedMessages) addMessage(file, n);
    for (const e of m.nestedEnums) bySymbol.set(e.typeName, file);
  };
  const visit = (file: DescFile) => {
    if (byName.has(file.proto.name)) return;
    byName.set(file.proto.name, file);
    for (const m of file.messages) addMessage(file, m);
    for (const e of file.enums) bySymbol.set(e.typeName, file);
    for (const s of file.services) {
      bySymbol.set(s.typeName, file);
      for (const method of s.methods) bySymbol.set(`${s.typeName}.${method.name}`, file);
    }
    for (const d of file.dependencies) visit(d);
  };
  for (const f of files) visit(f);
  return { byName, bySymbol };
}

/** A file and everything it imports, each once, serialized (the protocol's FileDescriptorResponse). */
function withImports(file: DescFile): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  const walk = (f: DescFile) => {
    if (seen.has(f.proto.name)) return;
    seen.add(f.proto.name);
    out.push(toBinary(FileDescriptorProtoSchema, f.proto));
    for (const d of f.dependencies) walk(d);
  };
  walk(file);
  return out;
}

/** Reflection over `files`, listing `services` (full names). Both protocol versions answer alike. */
export function reflectionRoutes(files: DescFile[], services: string[]) {
  const { byName, bySymbol } = index(files);

  /** The answer to one request, as a message init that either protocol version's schema accepts. */
  const answer = (req: v1.ServerReflectionRequest | v1alpha.ServerReflectionRequest) => {
    const r = req.messageRequest;
    const notFound = (what: string) => ({ case: 'errorResponse', value: { errorCode: NOT_FOUND, errorMessage: `${what} not found` } });
    const files = (file: DescFile | undefined, what: string) =>
      file ? { case: 'fileDescriptorResponse', value: { fileDescriptorProto: withImports(file) } } : notFound(what);
    const messageResponse =
      r.case === 'listServices'
        ? { case: 'listServicesResponse', value: { service: services.map((name) => ({ name })) } }
        : r.case === 'fileByFilename'
          ? files(byName.get(r.value), `file ${r.value}`)
          : r.case === 'fileContainingSymbol'
            ? files(bySymbol.get(r.value.replace(/^\./, '')), `symbol ${r.value}`)
            : notFound('extension'); // no extensions are declared by these files
    return {
      validHost: req.host,
      originalRequest: {
        host: req.host,
        messageRequest: r.case === 'fileContainingExtension' ? { case: r.case, value: { ...r.value } } : r,
      },
      messageResponse,
    };
  };

  return (router: ConnectRouter) => {
    router.service(v1.ServerReflection, {
      async *serverReflectionInfo(requests) {
        for await (const req of requests)
          yield create(v1.ServerReflectionResponseSchema, answer(req) as MessageInitShape<typeof v1.ServerReflectionResponseSchema>);
      },
    });
    router.service(v1alpha.ServerReflection, {
      async *serverReflectionInfo(requests) {
        for await (const req of requests)
          yield create(
            v1alpha.ServerReflectionResponseSchema,
            answer(req) as MessageInitShape<typeof v1alpha.ServerReflectionResponseSchema>,
          );
      },
    });
  };
}
