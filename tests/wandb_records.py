"""Read an offline W&B run back in a test, without the network (test harness only; wandb 0.31 has no reader of its own).

wandb >= 0.2x writes `run-<id>.wandb` with its Go core; the Python `DataStore` reader is gone (0.31 has no
`wandb.sdk.internal.datastore`) and `wandb sync` has no `--view`. The format is the LevelDB log format that wandb has
always used: a 7-byte file header (b':W&B', magic 0xBEE1, version 0), then 32 KiB blocks of chunks, each chunk
`<crc32:u32><len:u16><type:u8><data>` (type 1 FULL, 2 FIRST, 3 MIDDLE, 4 LAST), padded with zeros when < 7 bytes are
left in a block. Each reassembled record is a `wandb.proto.wandb_internal_pb2.Record` protobuf.
"""
import json, struct, zlib
from pathlib import Path

BLOCK, HDR = 32768, 7


def wandb_records(path):
    "Every `Record` protobuf in a `.wandb` file, in order (checksums verified)"
    from wandb.proto import wandb_internal_pb2 as pb
    data = Path(path).read_bytes()
    ident, magic, version = struct.unpack('<4sHB', data[:HDR])
    assert ident == b':W&B' and magic == 0xBEE1 and version == 0, (ident, magic, version)
    pos, buf = HDR, b''
    while pos + HDR <= len(data):
        left = BLOCK - pos % BLOCK
        if left < HDR: pos += left; continue          # block trailer padding
        crc, n, typ = struct.unpack('<IHB', data[pos:pos+HDR])
        if typ == 0 and n == 0: pos += left; continue  # zero padding up to the block end
        chunk = data[pos+HDR:pos+HDR+n]
        if len(chunk) < n: return                     # a tail still being written
        assert zlib.crc32(chunk, zlib.crc32(bytes([typ]))) & 0xffffffff == crc, f'bad checksum at {pos}'
        pos += HDR + n
        if typ == 1: buf = chunk
        elif typ == 2: buf = chunk; continue
        elif typ == 3: buf += chunk; continue
        elif typ == 4: buf += chunk
        rec = pb.Record(); rec.ParseFromString(buf)
        yield rec


def _items(items):
    "HistoryItem/SummaryItem list -> dict (nested keys as nested dicts; values JSON-decoded)"
    out = {}
    for it in items:
        keys = list(it.nested_key) or [it.key]   # a media value comes flattened: nested_key ['lr_find/curve', 'path']
        d = out
        for k in keys[:-1]: d = d.setdefault(k, {})
        d[keys[-1]] = json.loads(it.value_json)
    return out


def wandb_history(path):
    "The history rows (dicts with `_step`) of an offline run's `.wandb` file"
    return [_items(r.history.item) for r in wandb_records(path) if r.WhichOneof('record_type') == 'history']


def wandb_summary_updates(path):
    "The summary records (each a dict of the keys it updates) of an offline run's `.wandb` file"
    return [_items(r.summary.update) for r in wandb_records(path) if r.WhichOneof('record_type') == 'summary']


def offline_run_dir(wandb_dir):
    "The single `offline-run-*` folder under `<dir>/wandb`"
    runs = sorted(Path(wandb_dir).glob('wandb/offline-run-*'))
    assert len(runs) == 1, runs
    return runs[0]


def wait_for_exit_record(path, timeout=30.0):
    """Block until the `.wandb` file holds its `exit` record (the run is fully written); return the records.
    `run.finish()` can return while wandb-core is still writing the file (seen here: 2 of 3 runs with media read back
    only the 7-byte header right after `finish`); `wandb.teardown()` after `finish()` also waits for it."""
    import time
    end = time.monotonic() + timeout
    while True:
        recs = list(wandb_records(path)) if Path(path).exists() else []
        if any(r.WhichOneof('record_type') == 'exit' for r in recs): return recs
        if time.monotonic() > end: raise TimeoutError(f'{path}: no exit record after {timeout} s ({len(recs)} records)')
        time.sleep(0.1)
