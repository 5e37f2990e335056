// Stands in, in the agent's bundle, for modules dockerode loads for what the agent never asks of
// it: image builds through BuildKit (@grpc/grpc-js, @grpc/proto-loader, protobufjs) and Docker
// over SSH (ssh2). Loading them took a third of the bundle and ~10 MB of the agent's memory.
// Anything taken from here throws when used, naming what is missing.
const unused = (name) => {
  const fail = () => {
    throw new Error(`${name} is not in Berth's agent bundle (no image builds, no Docker over SSH)`);
  };
  return new Proxy(fail, { get: (_, key) => (key === "__esModule" ? false : unused(`${name}.${String(key)}`)) });
};
module.exports = unused("module");
