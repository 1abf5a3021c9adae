#!/usr/bin/env python3
"""Prints the directive table lines of dynamic nginx modules, read from the modules themselves.

Each `ngx_command_t` in a module's data is (name.len, name.data, type, set, conf, offset, post):
56 bytes on x86-64, `name.data` a relocated pointer to the name. The type bits are nginx's
(`NGX_CONF_TAKE1`, `NGX_HTTP_LOC_CONF`...); this prints them renumbered as
crates/config/src/directives.rs expects (one u32: argument bits, then context bits).

Usage: scripts/module_directives.py [--http FILE.so] /usr/lib/nginx/modules/*.so
(`--http` names a module that is an http module under another prefix, such as nchan.)
Only the standard library: the ELF64 reading below is what the job needs and no more.
"""
import struct
import sys

R_X86_64_RELATIVE = 8

# nginx's context bits for HTTP modules (ngx_http_config.h) map one to one onto ours.
HTTP_BITS = 0xFE000000  # MAIN..LMT (0x02000000..0x80000000)
NGX_MAIN_CONF = 0x01000000
NGX_DIRECT_CONF = 0x00010000
OUR_MAIN = 0x00040000
ARG_BITS = 0x00001FFF


def sections(data):
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    raw = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = raw[shstrndx]
    def name(off):
        s = strtab[4] + off
        return data[s:data.index(b"\0", s)].decode()
    return [
        {"name": name(r[0]), "type": r[1], "addr": r[3], "offset": r[4], "size": r[5], "entsize": r[9]}
        for r in raw
    ]


def commands(path):
    data = open(path, "rb").read()
    secs = sections(data)
    # Pointers to the module's own data are RELATIVE relocations (the addend is the target);
    # handlers the module exports are relocated by symbol: both mark a pointer slot.
    relocs, pointers = {}, set()
    for s in secs:
        if s["type"] == 4:  # SHT_RELA
            for i in range(s["size"] // 24):
                off, info, addend = struct.unpack_from("<QQq", data, s["offset"] + i * 24)
                pointers.add(off)
                if info & 0xFFFFFFFF == R_X86_64_RELATIVE:
                    relocs[off] = addend

    def file_offset(vaddr):
        for s in secs:
            if s["type"] != 8 and s["addr"] <= vaddr < s["addr"] + s["size"] and s["addr"]:
                return vaddr - s["addr"] + s["offset"]
        return None

    def c_string(vaddr, length):
        fo = file_offset(vaddr)
        if fo is None:
            return None
        raw = data[fo:fo + length + 1]
        if len(raw) != length + 1 or raw[-1] != 0:
            return None
        try:
            text = raw[:-1].decode("ascii")
        except UnicodeDecodeError:
            return None
        ok = text and all(c.islower() or c.isdigit() or c == "_" for c in text) and text[0].isalpha()
        return text if ok else None

    found = []
    for s in secs:
        if s["name"] not in (".data.rel.ro", ".data"):
            continue
        start, end = s["addr"], s["addr"] + s["size"]
        addr = start
        while addr + 56 <= end:
            fo = file_offset(addr)
            (length,) = struct.unpack_from("<Q", data, fo)
            target = relocs.get(addr + 8)
            (kind,) = struct.unpack_from("<Q", data, fo + 16)
            if 0 < length < 64 and target is not None and (addr + 24) in pointers and kind >> 32 == 0:
                name = c_string(target, length)
                if name and kind & ARG_BITS and kind & (HTTP_BITS | NGX_MAIN_CONF):
                    found.append((name, kind))
                    addr += 56
                    continue
            addr += 8
    return found


# ngx_stream_config.h: MAIN, SRV, UPS at 0x02000000, 0x04000000, 0x08000000.
STREAM_TO_OURS = {0x02000000: 0x00400000, 0x04000000: 0x00800000, 0x08000000: 0x01000000}


def ours(kind, family):
    """Our mask for nginx's `type`; None for contexts we do not check (RTMP's, mail's)."""
    args = kind & ARG_BITS
    if kind & NGX_MAIN_CONF:
        return args | OUR_MAIN
    if family == "http":
        return args | (kind & HTTP_BITS)
    if family == "stream":
        ctx = 0
        for bit, our in STREAM_TO_OURS.items():
            if kind & bit:
                ctx |= our
        return args | ctx if ctx else None
    return None


def family(path):
    base = path.rsplit("/", 1)[-1]
    if base.startswith(("ngx_http_", "ndk_http_")):
        return "http"
    if base.startswith("ngx_stream_"):
        return "stream"
    return "other"  # nchan is an http module under another prefix: see --http


def main():
    args = sys.argv[1:]
    force_http = set()
    while args and args[0] == "--http":
        force_http.add(args[1])
        args = args[2:]
    for path in args:
        base = path.rsplit("/", 1)[-1]
        fam = "http" if base in force_http else family(path)
        for name, kind in commands(path):
            mask = ours(kind, fam)
            if mask is not None:
                print(f"{name} {mask:08x} {base}")


if __name__ == "__main__":
    main()
