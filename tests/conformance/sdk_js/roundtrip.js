// Databricks' own JavaScript SDK (its DbfsService) against dbfs-emulator: upload with
// create/add-block/close, list, read back byte-identical, move, delete. Configured the way users
// configure it, from DATABRICKS_HOST and DATABRICKS_TOKEN. Exits non-zero on any mismatch.
"use strict";
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const { WorkspaceClient } = require("@databricks/sdk-experimental");

const MIB = 1 << 20;
const notFound = (error) =>
  error.statusCode === 404 && error.errorCode === "RESOURCE_DOES_NOT_EXIST";

async function collect(iterable) {
  const items = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function main() {
  const dbfs = new WorkspaceClient({}).dbfs;
  const data = crypto.randomBytes(5 * MIB + 12345);
  const dir = "/sdk-js";
  const path = `${dir}/upload.bin`;

  const { handle } = await dbfs.create({ path, overwrite: true });
  assert.ok(Number.isSafeInteger(handle) && handle > 0, `handle ${handle}`);
  let blocks = 0;
  for (let at = 0; at < data.length; at += MIB) {
    await dbfs.addBlock({ handle, data: data.subarray(at, at + MIB).toString("base64") });
    blocks++;
  }
  assert.equal(blocks, 6);
  await dbfs.close({ handle });

  const status = await dbfs.getStatus({ path });
  assert.equal(status.file_size, data.length);
  assert.equal(status.is_dir, false);

  const listed = await collect(dbfs.list({ path: dir }));
  assert.deepEqual(listed.map((f) => [f.path, f.file_size]), [[path, data.length]]);

  const parts = [];
  for (let offset = 0; ; ) {
    const answer = await dbfs.read({ path, offset, length: MIB });
    if (!answer.bytes_read) break;
    const bytes = Buffer.from(answer.data, "base64");
    assert.equal(bytes.length, answer.bytes_read);
    parts.push(bytes);
    offset += bytes.length;
  }
  assert.ok(Buffer.concat(parts).equals(data), "read back differs from what was uploaded");

  const moved = `${dir}/moved/upload.bin`;
  await dbfs.mkdirs({ path: `${dir}/moved` });
  await dbfs.move({ source_path: path, destination_path: moved });
  assert.equal((await dbfs.getStatus({ path: moved })).file_size, data.length);
  await assert.rejects(dbfs.getStatus({ path }), notFound);

  await dbfs.delete({ path: dir, recursive: true });
  await assert.rejects(dbfs.getStatus({ path: dir }), notFound);
  console.log(`sdk-js roundtrip ok: ${data.length} bytes in ${blocks} blocks`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
