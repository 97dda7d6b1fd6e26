"""Input mutators: generic byte-level ones and targeted ones that know MP4, MPEG-TS and FLV.

Every mutator takes (data: bytearray, rng: random.Random) and returns a short description of what it
did, or None when it does not apply to this file (then another one is tried). All randomness comes from
the rng handed in, so a case id always gives the same bytes.
"""

from __future__ import annotations

import random
import struct

# Values that tend to hit edge cases in 32-bit fields.
U32_EXTREMES = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF]
U16_EXTREMES = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF]
U8_EXTREMES = [0, 1, 0x7F, 0x80, 0xFE, 0xFF]


def u32(rng: random.Random) -> int:
    return rng.choice(U32_EXTREMES) if rng.random() < 0.8 else rng.getrandbits(32)


# ---------------------------------------------------------------------------------------------------
# Generic mutations
# ---------------------------------------------------------------------------------------------------

def m_flip_bytes(data: bytearray, rng: random.Random):
    if not data:
        return None
    n = rng.choice([1, 1, 2, 4, 8, 16, 64])
    for _ in range(n):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    return f"flip {n} bits"


def m_set_bytes(data: bytearray, rng: random.Random):
    if not data:
        return None
    n = rng.choice([1, 2, 4, 8, 32])
    for _ in range(n):
        i = rng.randrange(len(data))
        data[i] = rng.choice(U8_EXTREMES + [rng.getrandbits(8)])
    return f"set {n} bytes"


def m_truncate(data: bytearray, rng: random.Random):
    if len(data) < 2:
        return None
    if rng.random() < 0.3:
        keep = rng.choice([0, 1, 8, 188, 512, 4096])
        keep = min(keep, len(data) - 1)
    else:
        keep = rng.randrange(1, len(data))
    del data[keep:]
    return f"truncate to {keep} bytes"


def _range(data: bytearray, rng: random.Random):
    size = rng.choice([1, 4, 16, 188, 1024, 4096, max(1, len(data) // 8)])
    size = max(1, min(size, len(data) - 1))
    start = rng.randrange(0, len(data) - size + 1)
    return start, size


def m_duplicate_chunk(data: bytearray, rng: random.Random):
    if len(data) < 4:
        return None
    start, size = _range(data, rng)
    at = rng.randrange(0, len(data) + 1)
    times = rng.choice([1, 1, 2, 8])
    data[at:at] = bytes(data[start:start + size]) * times
    return f"duplicate {size} bytes at {start} x{times} into {at}"


def m_remove_chunk(data: bytearray, rng: random.Random):
    if len(data) < 4:
        return None
    start, size = _range(data, rng)
    del data[start:start + size]
    return f"remove {size} bytes at {start}"


def m_swap_chunks(data: bytearray, rng: random.Random):
    if len(data) < 64:
        return None
    size = rng.choice([16, 188, 1024])
    size = min(size, len(data) // 4)
    a = rng.randrange(0, len(data) // 2 - size)
    b = rng.randrange(len(data) // 2, len(data) - size)
    chunk_a, chunk_b = bytes(data[a:a + size]), bytes(data[b:b + size])
    data[a:a + size], data[b:b + size] = chunk_b, chunk_a
    return f"swap {size} bytes at {a} and {b}"


GENERIC = [m_flip_bytes, m_set_bytes, m_truncate, m_duplicate_chunk, m_remove_chunk, m_swap_chunks]


# ---------------------------------------------------------------------------------------------------
# MP4 (ISO BMFF) box tree
# ---------------------------------------------------------------------------------------------------

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"edts", b"udta", b"mvex", b"moof",
              b"traf", b"mfra", b"sinf", b"schi"}
# Sample entries: bytes of fixed fields after the 8-byte box header, before the child boxes.
SAMPLE_ENTRY_SKIP = {b"avc1": 78, b"avc3": 78, b"hev1": 78, b"hvc1": 78, b"mp4v": 78, b"mp4a": 28,
                     b"enca": 28, b"encv": 78}


class Box:
    __slots__ = ("type", "start", "header", "size", "children", "parent")

    def __init__(self, type_, start, header, size, parent):
        self.type, self.start, self.header, self.size, self.parent = type_, start, header, size, parent
        self.children = []

    @property
    def payload(self) -> int:
        return self.start + self.header

    @property
    def end(self) -> int:
        return self.start + self.size

    def path(self) -> str:
        parts, box = [], self
        while box is not None:
            parts.append(box.type.decode("latin-1"))
            box = box.parent
        return "/".join(reversed(parts))


def parse_boxes(data, start=0, end=None, parent=None, depth=0):
    """The boxes in data[start:end], recursively; stops quietly at anything malformed."""
    end = len(data) if end is None else end
    boxes, pos = [], start
    while pos + 8 <= end and depth < 12:
        size, type_ = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                break
            size = struct.unpack_from(">Q", data, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            break
        box = Box(type_, pos, header, size, parent)
        boxes.append(box)
        if type_ in CONTAINERS:
            box.children = parse_boxes(data, box.payload, box.end, box, depth + 1)
        elif type_ == b"stsd":
            box.children = parse_boxes(data, box.payload + 8, box.end, box, depth + 1)
        elif type_ in SAMPLE_ENTRY_SKIP:
            box.children = parse_boxes(data, box.payload + SAMPLE_ENTRY_SKIP[type_], box.end, box, depth + 1)
        pos += size
    return boxes


def walk(boxes):
    for box in boxes:
        yield box
        yield from walk(box.children)


def find(data, type_):
    return [b for b in walk(parse_boxes(data)) if b.type == type_]


def _pick(data, rng, *types):
    found = [b for t in types for b in find(data, t)]
    return rng.choice(found) if found else None


def _put32(data, off, value):
    if off + 4 <= len(data):
        struct.pack_into(">I", data, off, value & 0xFFFFFFFF)


def _put16(data, off, value):
    if off + 2 <= len(data):
        struct.pack_into(">H", data, off, value & 0xFFFF)


def _full_box_version(data, box):
    return data[box.payload] if box.payload < len(data) else 0


# --- esds / AudioSpecificConfig -----------------------------------------------------------------

def _descriptor(data, pos, end):
    """(tag, payload_start, payload_len) of the MPEG-4 descriptor at pos."""
    if pos + 2 > end:
        return None
    tag = data[pos]
    pos += 1
    length = 0
    for _ in range(4):
        if pos >= end:
            return None
        byte = data[pos]
        pos += 1
        length = (length << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return tag, pos, length


def esds_parts(data, esds):
    """Offsets in an esds box: (DecoderConfigDescriptor payload, DecoderSpecificInfo payload, its len)."""
    pos, end = esds.payload + 4, esds.end
    es = _descriptor(data, pos, end)
    if not es or es[0] != 0x03:
        return None
    pos = es[1] + 3  # ES_ID (2) + flags (1)
    flags = data[es[1] + 2] if es[1] + 2 < end else 0
    if flags & 0x80:
        pos += 2
    if flags & 0x40 and pos < end:
        pos += 1 + data[pos]
    if flags & 0x20:
        pos += 2
    dcd = _descriptor(data, pos, end)
    if not dcd or dcd[0] != 0x04:
        return None
    dsi = _descriptor(data, dcd[1] + 13, end)
    if not dsi or dsi[0] != 0x05:
        return dcd[1], None, 0
    return dcd[1], dsi[1], dsi[2]


def mutate_asc(data, off, length, rng):
    """AudioSpecificConfig: 5 bits object type, 4 bits sample-rate index, 4 bits channel config."""
    if length < 2 or off + 2 > len(data):
        return None
    bits = (data[off] << 8) | data[off + 1]
    field = rng.choice(["aot", "aot", "srindex", "channels", "all"])
    aot, sri, ch = bits >> 11, (bits >> 7) & 0xF, (bits >> 3) & 0xF
    if field in ("aot", "all"):
        aot = rng.choice([0, 31, 45, 1, 3, 4, 5, 7, 8, 20, 23, 29, 30, 39, 42])
    if field in ("srindex", "all"):
        sri = rng.choice([15, 13, 14, 12, 0])
    if field in ("channels", "all"):
        ch = rng.choice([0, 15, 7, 8, 9, 13])
    bits = (aot << 11) | (sri << 7) | (ch << 3) | (bits & 0x7)
    data[off], data[off + 1] = bits >> 8, bits & 0xFF
    return f"AudioSpecificConfig aot={aot} srindex={sri} channels={ch}"


def m_mp4_esds(data, rng):
    esds = _pick(data, rng, b"esds")
    if not esds:
        return None
    parts = esds_parts(data, esds)
    if not parts:
        return None
    dcd, dsi, dsi_len = parts
    choice = rng.random()
    if choice < 0.65 and dsi is not None:
        note = mutate_asc(data, dsi, dsi_len, rng)
        return "esds " + note if note else None
    if choice < 0.8 and dsi is not None:
        # DecoderSpecificInfo length byte (single-byte length form as written by FFmpeg).
        new = rng.choice([0, 1, 0x7F])
        data[dsi - 1] = new
        return f"esds DecoderSpecificInfo length {new}"
    oti = rng.choice([0x00, 0x6B, 0x69, 0x20, 0x21, 0xA5, 0xFF, 0x66])
    data[dcd] = oti
    return f"esds objectTypeIndication 0x{oti:02x}"


# --- avcC (AVCDecoderConfigurationRecord), also used for FLV sequence headers -----------------------

def mutate_avcc(data, off, end, rng):
    """Mutates the AVCDecoderConfigurationRecord at data[off:end]."""
    if end - off < 8:
        return None
    sps_len = struct.unpack_from(">H", data, off + 6)[0]
    what = rng.choice(["version", "profile", "level", "lengthsize", "spscount", "spslen", "spslen",
                       "ppscount", "ppslen", "sps_profile", "sps_bits", "sps_bits", "sps_level"])
    if what == "version":
        data[off] = rng.choice([0, 2, 0xFF])
    elif what == "profile":
        data[off + 1] = rng.choice([0, 44, 66, 77, 88, 110, 122, 244, 255])
    elif what == "level":
        data[off + 3] = rng.choice([0, 9, 62, 255])
    elif what == "lengthsize":
        data[off + 4] = 0xFC | rng.choice([0, 1, 2])
    elif what == "spscount":
        data[off + 5] = 0xE0 | rng.choice([0, 2, 31])
    elif what == "spslen":
        _put16(data, off + 6, rng.choice([0, 1, 3, sps_len + 1, sps_len + 64, 0x7FFF, 0xFFFF]))
    else:
        pps_at = off + 8 + sps_len
        if what in ("ppscount", "ppslen") and pps_at + 3 <= end:
            if what == "ppscount":
                data[pps_at] = rng.choice([0, 2, 31, 255])
            else:
                _put16(data, pps_at + 1, rng.choice([0, 1, 0xFFFF, 0x100]))
        elif sps_len >= 4 and off + 8 + sps_len <= end:
            sps = off + 8  # NAL header byte, then profile_idc, constraints, level_idc, ue(v)...
            if what == "sps_profile":
                data[sps + 1] = rng.choice([0, 44, 100, 110, 122, 244, 255])
            elif what == "sps_level":
                data[sps + 3] = rng.choice([0, 255, 62])
            else:
                for _ in range(rng.choice([1, 2, 4])):
                    i = rng.randrange(sps + 1, sps + sps_len)
                    data[i] ^= 1 << rng.randrange(8)
        else:
            return None
    return f"avcC {what}"


def m_mp4_avcc(data, rng):
    avcc = _pick(data, rng, b"avcC")
    if not avcc:
        return None
    return mutate_avcc(data, avcc.payload, avcc.end, rng)


def m_mp4_sample_entry(data, rng):
    entry = _pick(data, rng, b"avc1", b"mp4a")
    if not entry:
        return None
    p = entry.payload
    if entry.type == b"avc1":
        what = rng.choice(["width", "height", "fourcc", "depth"])
        if what == "width":
            _put16(data, p + 24, rng.choice(U16_EXTREMES))
        elif what == "height":
            _put16(data, p + 26, rng.choice(U16_EXTREMES))
        elif what == "depth":
            _put16(data, p + 74, rng.choice(U16_EXTREMES))
        else:
            data[entry.start + 4:entry.start + 8] = rng.choice([b"hev1", b"mp4v", b"xxxx", b"avc3", b"\0\0\0\0"])
    else:
        what = rng.choice(["channels", "samplesize", "samplerate", "fourcc", "version"])
        if what == "channels":
            _put16(data, p + 16, rng.choice(U16_EXTREMES))
        elif what == "samplesize":
            _put16(data, p + 18, rng.choice(U16_EXTREMES))
        elif what == "samplerate":
            _put32(data, p + 24, u32(rng))
        elif what == "version":
            _put16(data, p + 8, rng.choice([1, 2, 0xFFFF]))
        else:
            data[entry.start + 4:entry.start + 8] = rng.choice([b"ac-3", b"Opus", b"xxxx", b".mp3", b"\0\0\0\0"])
    return f"{entry.type.decode()} {what}"


# --- sample tables ---------------------------------------------------------------------------

def m_mp4_table(data, rng):
    box = _pick(data, rng, b"stts", b"stsz", b"stco", b"co64", b"stsc", b"stss", b"ctts", b"elst", b"stsd")
    if not box:
        return None
    p = box.payload + 4  # after version + flags
    name = box.type.decode()
    if box.type == b"stsz":
        field = rng.choice(["sample_size", "count", "entry", "entry"])
        if field == "sample_size":
            _put32(data, p, u32(rng))
        elif field == "count":
            _put32(data, p + 4, u32(rng))
        else:
            count = struct.unpack_from(">I", data, p + 4)[0] if p + 8 <= len(data) else 0
            count = min(count, (box.end - p - 8) // 4)
            if count <= 0:
                return None
            for _ in range(rng.choice([1, 1, 3])):
                _put32(data, p + 8 + 4 * rng.randrange(count), u32(rng))
        return f"{name} {field}"
    field = rng.choice(["count", "entry", "entry"])
    if field == "count" or box.type == b"stsd":
        _put32(data, p, u32(rng))
        return f"{name} entry_count"
    width = {b"stts": 8, b"ctts": 8, b"stsc": 12, b"stco": 4, b"co64": 8, b"stss": 4}.get(box.type, 0)
    if box.type == b"elst":
        width = 20 if _full_box_version(data, box) == 1 else 12
    count = struct.unpack_from(">I", data, p)[0] if p + 4 <= len(data) else 0
    count = min(count, (box.end - p - 4) // max(width, 1))
    if count <= 0 or width == 0:
        return None
    entry = p + 4 + width * rng.randrange(count)
    word = rng.randrange(width // 4)
    _put32(data, entry + 4 * word, u32(rng))
    return f"{name} entry word {word}"


# --- headers: mdhd / mvhd / tkhd / hdlr / tfdt / trun -----------------------------------------

def m_mp4_header(data, rng):
    box = _pick(data, rng, b"mdhd", b"mvhd", b"tkhd", b"hdlr", b"tfdt", b"trun", b"tfhd", b"mehd", b"trex")
    if not box:
        return None
    p = box.payload
    v1 = _full_box_version(data, box) == 1
    name = box.type.decode()
    if box.type in (b"mdhd", b"mvhd"):
        # v0: ver/flags(4) ctime(4) mtime(4) timescale(4) duration(4); v1: 8-byte times and duration.
        ts_off = p + (20 if v1 else 12)
        field = rng.choice(["timescale", "timescale", "duration"])
        if field == "timescale":
            _put32(data, ts_off, rng.choice([0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 90000, 3]))
        else:
            if v1:
                struct.pack_into(">Q", data, ts_off + 4, rng.choice([0, 2 ** 63 - 1, 2 ** 64 - 1]))
            else:
                _put32(data, ts_off + 4, u32(rng))
        return f"{name} {field}"
    if box.type == b"tkhd":
        field = rng.choice(["duration", "width", "height", "track_id"])
        if field == "duration":
            _put32(data, p + (28 if v1 else 20), u32(rng))
        elif field == "track_id":
            _put32(data, p + (20 if v1 else 12), rng.choice([0, 2, 0xFFFFFFFF]))
        else:
            base = p + (88 if v1 else 76)
            _put32(data, base + (0 if field == "width" else 4), u32(rng))
        return f"tkhd {field}"
    if box.type == b"hdlr":
        handler = rng.choice([b"soun", b"vide", b"text", b"hint", b"\0\0\0\0"])
        data[p + 8:p + 12] = handler
        return f"hdlr {handler!r}"
    if box.type == b"tfdt":
        if v1:
            struct.pack_into(">Q", data, p + 4, rng.choice([0, 2 ** 63 - 1, 2 ** 64 - 1, 2 ** 40]))
        else:
            _put32(data, p + 4, u32(rng))
        return "tfdt baseMediaDecodeTime"
    # trun / tfhd / mehd / trex: hit one of the first words after version/flags.
    words = max(1, min(6, (box.end - p - 4) // 4))
    word = rng.randrange(words)
    _put32(data, p + 4 + 4 * word, u32(rng))
    return f"{name} word {word}"


def m_mp4_box_header(data, rng):
    boxes = list(walk(parse_boxes(data)))
    if not boxes:
        return None
    box = rng.choice(boxes)
    if rng.random() < 0.5:
        new = rng.choice([0, 1, 7, 8, box.size - 1, box.size + 1, box.size * 2, 0x7FFFFFFF, 0xFFFFFFFF])
        if box.header == 8:
            _put32(data, box.start, new)
        else:
            struct.pack_into(">Q", data, box.start + 8, new & (2 ** 64 - 1))
        return f"box {box.path()} size {new}"
    new_type = rng.choice([b"free", b"skip", b"moov", b"trak", b"mdat", b"\0\0\0\0", b"uuid"])
    data[box.start + 4:box.start + 8] = new_type
    return f"box {box.path()} type {new_type!r}"


def m_mp4_box_dup_remove(data, rng):
    boxes = [b for b in walk(parse_boxes(data)) if b.type != b"mdat" and b.size < 200_000]
    if not boxes:
        return None
    box = rng.choice(boxes)
    chunk = bytes(data[box.start:box.end])
    if rng.random() < 0.5:
        del data[box.start:box.end]
        action = "remove"
    else:
        data[box.end:box.end] = chunk
        action = "duplicate"
    # Keep the parents' sizes consistent so the change reaches the parser behind them.
    delta = -len(chunk) if action == "remove" else len(chunk)
    parent = box.parent
    while parent is not None:
        if parent.header == 8:
            size = struct.unpack_from(">I", data, parent.start)[0]
            if size:
                _put32(data, parent.start, size + delta)
        parent = parent.parent
    return f"{action} box {box.path()}"


MP4 = [m_mp4_esds, m_mp4_esds, m_mp4_avcc, m_mp4_avcc, m_mp4_sample_entry, m_mp4_table, m_mp4_table,
       m_mp4_table, m_mp4_header, m_mp4_header, m_mp4_box_header, m_mp4_box_dup_remove]


# ---------------------------------------------------------------------------------------------------
# MPEG-TS
# ---------------------------------------------------------------------------------------------------

def crc32_mpeg2(buf) -> int:
    crc = 0xFFFFFFFF
    for byte in buf:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def ts_packets(data):
    """(offset, pid, payload_unit_start, payload_offset) of each 188-byte packet."""
    out = []
    for off in range(0, len(data) - 187, 188):
        if data[off] != 0x47:
            continue
        pusi = bool(data[off + 1] & 0x40)
        pid = ((data[off + 1] & 0x1F) << 8) | data[off + 2]
        afc = (data[off + 3] >> 4) & 3
        payload = off + 4
        if afc & 2:
            payload += 1 + data[off + 4]
        if not afc & 1 or payload >= off + 188:
            continue
        out.append((off, pid, pusi, payload))
    return out


def _pmt_pids(data, packets):
    pids = set()
    for off, pid, pusi, payload in packets:
        if pid == 0 and pusi:
            sec = payload + 1 + data[payload]
            length = ((data[sec + 1] & 0xF) << 8) | data[sec + 2]
            pos = sec + 8
            while pos + 4 <= min(sec + 3 + length - 4, off + 188):
                program = struct.unpack_from(">H", data, pos)[0]
                if program != 0:
                    pids.add(struct.unpack_from(">H", data, pos + 2)[0] & 0x1FFF)
                pos += 4
    return pids


def m_ts_pmt(data, rng):
    packets = ts_packets(data)
    pmt_pids = _pmt_pids(data, packets)
    pmts = [p for p in packets if p[1] in pmt_pids and p[2]]
    if not pmts:
        return None
    what = rng.choice(["stream_type", "stream_type", "stream_type", "es_pid", "pcr_pid", "section_length",
                       "es_info_length"])
    fix_crc = rng.random() < 0.85
    local_seed = rng.random()
    done = None
    for off, pid, pusi, payload in pmts:  # every PMT copy, so the change is not hidden by a later one
        sec = payload + 1 + data[payload]
        if sec + 12 > off + 188:
            continue
        length = ((data[sec + 1] & 0xF) << 8) | data[sec + 2]
        end = min(sec + 3 + length, off + 188)
        info_len = ((data[sec + 10] & 0xF) << 8) | data[sec + 11]
        entries, pos = [], sec + 12 + info_len
        while pos + 5 <= end - 4:
            entries.append(pos)
            pos += 5 + (((data[pos + 3] & 0xF) << 8) | data[pos + 4])
        local = random.Random(local_seed)  # the same choice in every PMT copy
        if what == "stream_type" and entries:
            entry = entries[local.randrange(len(entries))]
            data[entry] = local.choice([0x00, 0x01, 0x02, 0x03, 0x06, 0x0F, 0x10, 0x11, 0x15, 0x1B,
                                        0x24, 0x42, 0x80, 0x81, 0x87, 0xEA, 0xFF])
        elif what == "es_pid" and entries:
            entry = entries[local.randrange(len(entries))]
            _put16(data, entry + 1, 0xE000 | local.choice([0, 1, 0x11, 0x1FFF, pid]))
        elif what == "pcr_pid":
            _put16(data, sec + 8, 0xE000 | local.choice([0, 0x1FFF, 0x123]))
        elif what == "section_length":
            _put16(data, sec + 1, (data[sec + 1] << 8 & 0xF000) | local.choice([0, 5, 13, 0x3FD, 0xFFF]))
            fix_crc = False
        elif what == "es_info_length" and entries:
            entry = entries[local.randrange(len(entries))]
            _put16(data, entry + 3, 0xF000 | local.choice([0, 1, 0x3FF, 0xFFF]))
        if done is None:
            done = f"{what}-{off}"
        if fix_crc and sec + 3 + length <= off + 188 and length >= 4:
            _put32(data, sec + 3 + length - 4, crc32_mpeg2(data[sec:sec + 3 + length - 4]))
    return f"PMT {what}{'' if fix_crc else ' (CRC left stale)'}" if done else None


def m_ts_pes(data, rng):
    packets = [p for p in ts_packets(data) if p[2] and p[3] + 14 <= p[0] + 188
               and data[p[3]:p[3] + 3] == b"\0\0\1"]
    if not packets:
        return None
    what = rng.choice(["length", "length", "pts", "header_length", "stream_id"])
    for _ in range(rng.choice([1, 1, 3, 10])):
        off, pid, pusi, pes = rng.choice(packets)
        if what == "length":
            _put16(data, pes + 4, rng.choice([0, 1, 8, 0x7FFF, 0xFFFF, rng.getrandbits(16)]))
        elif what == "pts":
            for i in range(5):
                data[pes + 9 + i] = rng.choice([0xFF, 0x00, rng.getrandbits(8)]) | (1 if i in (0, 2, 4) else 0)
        elif what == "header_length":
            data[pes + 8] = rng.choice([0, 0xFF, 0xB0])
        else:
            data[pes + 3] = rng.choice([0xBD, 0xBE, 0xC0, 0xE0, 0x00, 0xFF])
    return f"PES {what}"


def m_ts_header(data, rng):
    packets = ts_packets(data)
    if not packets:
        return None
    what = rng.choice(["cc", "pid", "afc", "sync", "af_length", "pusi"])
    n = rng.choice([1, 3, 10, 50])
    for _ in range(n):
        off = rng.choice(packets)[0]
        if what == "cc":
            data[off + 3] = (data[off + 3] & 0xF0) | rng.randrange(16)
        elif what == "pid":
            pid = rng.choice([0, 1, 0x11, 0x100, 0x101, 0x1FFF])
            data[off + 1] = (data[off + 1] & 0xE0) | (pid >> 8)
            data[off + 2] = pid & 0xFF
        elif what == "afc":
            data[off + 3] = (data[off + 3] & 0xCF) | (rng.randrange(4) << 4)
        elif what == "sync":
            data[off] = rng.choice([0, 0x46, 0xFF])
        elif what == "af_length":
            data[off + 4] = rng.choice([0, 183, 184, 255])
        else:
            data[off + 1] ^= 0x40
    return f"TS header {what} x{n}"


TS = [m_ts_pmt, m_ts_pmt, m_ts_pmt, m_ts_pes, m_ts_pes, m_ts_header]


# ---------------------------------------------------------------------------------------------------
# FLV
# ---------------------------------------------------------------------------------------------------

def flv_tags(data):
    """(offset, type, data_size, data_offset) of each tag."""
    if data[:3] != b"FLV" or len(data) < 13:
        return []
    pos = struct.unpack_from(">I", data, 5)[0] + 4
    tags = []
    while pos + 11 <= len(data):
        type_ = data[pos] & 0x1F
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        if pos + 11 + size > len(data):
            break
        tags.append((pos, type_, size, pos + 11))
        pos += 11 + size + 4
    return tags


def m_flv_timestamps(data, rng):
    tags = flv_tags(data)
    if not tags:
        return None
    what = rng.choice(["random", "huge", "backwards", "zero", "ext"])
    n = rng.choice([1, 3, 20, len(tags)])
    chosen = rng.sample(tags, min(n, len(tags)))
    for i, (off, type_, size, payload) in enumerate(chosen):
        if what == "random":
            data[off + 4:off + 7] = rng.getrandbits(24).to_bytes(3, "big")
        elif what == "huge":
            data[off + 4:off + 8] = b"\xff\xff\xff\x7f"
        elif what == "backwards":
            data[off + 4:off + 8] = (max(0, 100000 - i * 977) & 0xFFFFFF).to_bytes(3, "big") + b"\0"
        elif what == "zero":
            data[off + 4:off + 8] = b"\0\0\0\0"
        else:
            data[off + 7] = rng.choice([0x80, 0xFF, 0x01])
    return f"FLV tag timestamps {what} x{len(chosen)}"


def m_flv_sequence_header(data, rng):
    tags = flv_tags(data)
    video = [t for t in tags if t[1] == 9 and t[2] > 5 and data[t[3]] & 0x0F == 7 and data[t[3] + 1] == 0]
    audio = [t for t in tags if t[1] == 8 and t[2] > 2 and data[t[3]] >> 4 == 10 and data[t[3] + 1] == 0]
    if not video and not audio:
        return None
    if video and (not audio or rng.random() < 0.6):
        off, _, size, payload = rng.choice(video)
        if rng.random() < 0.25:
            data[payload] = (data[payload] & 0xF0) | rng.choice([2, 4, 5, 12, 13, 15, 0])
            return "FLV video codec id"
        if rng.random() < 0.15:
            data[payload + 1] = rng.choice([1, 2, 0xFF])
            return "FLV AVC packet type of the sequence header"
        return "FLV " + (mutate_avcc(data, payload + 5, payload + size, rng) or "avcC unchanged")
    off, _, size, payload = rng.choice(audio)
    if rng.random() < 0.25:
        data[payload] = (data[payload] & 0x0F) | (rng.choice([2, 11, 14, 15, 0]) << 4)
        return "FLV audio sound format"
    return "FLV AAC " + (mutate_asc(data, payload + 2, size - 2, rng) or "unchanged")


def m_flv_tag_header(data, rng):
    tags = flv_tags(data)
    if not tags:
        return None
    off, type_, size, payload = rng.choice(tags)
    what = rng.choice(["size", "type", "prev_size", "stream_id"])
    if what == "size":
        data[off + 1:off + 4] = rng.choice([0, 1, size + 1, 0xFFFFFF, size * 2 & 0xFFFFFF]).to_bytes(3, "big")
    elif what == "type":
        data[off] = rng.choice([8, 9, 18, 0, 0x1F, 0x20 | type_])
    elif what == "prev_size":
        _put32(data, payload + size, u32(rng))
    else:
        data[off + 8:off + 11] = b"\x00\x00\x01"
    return f"FLV tag {what}"


def m_flv_metadata(data, rng):
    """Doubles in onMetaData (duration, width, height, framerate, ...) to NaN/inf/huge/negative."""
    tags = [t for t in flv_tags(data) if t[1] == 18]
    if not tags:
        return None
    off, _, size, payload = tags[0]
    body = data[payload:payload + size]
    spots = [i for i in range(len(body) - 9) if body[i] == 0x00 and i > 2 and body[i - 1] != 0]
    if not spots:
        return None
    value = rng.choice([float("nan"), float("inf"), -1.0, 1e308, 0.0, 5e-324, -1e300, 2.0 ** 63])
    for _ in range(rng.choice([1, 3, 8])):
        i = rng.choice(spots)
        data[payload + i + 1:payload + i + 9] = struct.pack(">d", value)
    return f"FLV onMetaData numbers {value}"


FLV = [m_flv_timestamps, m_flv_timestamps, m_flv_sequence_header, m_flv_sequence_header,
       m_flv_sequence_header, m_flv_tag_header, m_flv_metadata]


# ---------------------------------------------------------------------------------------------------

TARGETED = {"mp4": MP4, "ts": TS, "flv": FLV}


def mutate(data: bytes, container: str, rng: random.Random):
    """Applies 1-3 mutations (targeted ones weighted up); returns (bytes, [descriptions])."""
    buf = bytearray(data)
    notes = []
    rounds = rng.choice([1, 1, 1, 2, 2, 3])
    targeted = TARGETED.get(container, [])
    for _ in range(rounds):
        for _attempt in range(8):
            if targeted and rng.random() < 0.6:
                mutator = rng.choice(targeted)
            else:
                mutator = rng.choice(GENERIC)
            try:
                note = mutator(buf, rng)
            except Exception:  # a mutator tripping over an odd file: try another (still deterministic)
                note = None
            if note:
                notes.append(note)
                break
    return bytes(buf), notes
