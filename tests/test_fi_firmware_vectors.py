"""Reference firmware: the C encoder (built here with gcc) and the Python codec agree with
the shared test vectors, byte for byte, including sequence and clock wraparound."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fw_harness import FW, VECTORS, build_driver, run

from firmware_interface.codecs import sensorcoach_v1 as v1
from firmware_interface.samples import SampleBlock


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_driver(tmp_path_factory.mktemp("fw"))


# ---------------------------------------------------------------------- C side
def test_c_crc_check_values(driver: Path) -> None:
    cases = VECTORS["crc16_ccitt_false"]
    assert cases[0] == {"data": b"123456789".hex(), "crc": "29b1"}  # the catalogue check
    got = run(driver, [f"crc {c['data'] or '-'}" for c in cases])
    assert got == [c["crc"] for c in cases]


def test_c_encodes_samples(driver: Path) -> None:
    cases = VECTORS["samples"]
    got = run(driver, [f"sample {c['seq']} {c['t_us']} {' '.join(map(str, c['acc']))} "
                       f"{' '.join(map(str, c['gyro']))} {c['flags']}" for c in cases])
    assert got == [f"{c['payload']} {c['serial']}" for c in cases]


def test_c_encodes_device_info(driver: Path) -> None:
    cases = VECTORS["device_info"]
    got = run(driver, ["info {} {} {} {imu} {board} {status} {acc_fs_g} {gyro_fs_dps} "
                       "{rate_hz} {t_us} {next_seq}".format(*c["fw_version"], **c)
                       for c in cases])
    assert got == [f"{c['payload']} {c['serial']}" for c in cases]


def test_c_commands_encode_decode_and_parse(driver: Path) -> None:
    cases = VECTORS["commands"]
    assert run(driver, [f"command {c['type']} {c['rate_hz']}" for c in cases]) == [
        f"{c['payload']} {c['serial']}" for c in cases]
    assert run(driver, [f"decode {c['payload']}" for c in cases]) == [
        f"{c['type']} {c['rate_hz']}" for c in cases]
    bad = VECTORS["invalid_commands"]
    assert run(driver, [f"decode {c['payload']}" for c in bad]) == ["invalid"] * len(bad)
    # The serial parser finds every command in noise, and drops a corrupted one.
    noise = "a5" + "00ff5a" + "a5a5"
    stream = noise + noise.join(c["serial"] for c in cases) + "a5"
    want = "".join(f"{c['type']} {c['rate_hz']};" for c in cases) + "bad_crc 0"
    assert run(driver, [f"parse {stream}"]) == [want]
    broken = bytearray.fromhex(cases[2]["serial"])
    broken[4] ^= 0x10
    assert run(driver, [f"parse {broken.hex()}{cases[0]['serial']}"]) == ["16 0;bad_crc 1"]


def test_c_scale_helpers(driver: Path) -> None:
    cases = VECTORS["scale"]
    assert run(driver, [f"scale {c['g']!r} {c['dps']!r}" for c in cases]) == [
        f"{c['acc']} {c['gyro']} {c['flags']}" for c in cases]


def test_c_scheduler_slots_and_wraparound(driver: Path) -> None:
    for case in VECTORS["scheduler"]:
        got = run(driver, [f"stream {case['rate_hz']}", *case["ops"], "end"])
        assert got == [*case["expect"], "end"], case["name"]


def test_header_compiles_as_cpp(tmp_path: Path) -> None:
    """The sketch includes protocol.h from C++ (extern "C")."""
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("g++ not found")
    src = tmp_path / "t.cpp"
    src.write_text('#include "protocol.h"\nint main() { sc_stream_t s; '
                   'sc_stream_init(&s, 50); return s.rate_hz == 50 ? 0 : 1; }\n')
    r = subprocess.run([gxx, "-std=c++11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                        "-I", str(FW), str(src)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


# ---------------------------------------------------------------------- Python side
def test_python_crc_and_encoders_match_vectors() -> None:
    for c in VECTORS["crc16_ccitt_false"]:
        assert f"{v1.crc16(bytes.fromhex(c['data'])):04x}" == c["crc"]
    for c in VECTORS["samples"]:
        p = v1.encode_sample(c["seq"], c["t_us"], c["acc"], c["gyro"], c["flags"])
        assert p.hex() == c["payload"], c["name"]
        assert v1.frame(p).hex() == c["serial"], c["name"]
    for c in VECTORS["device_info"]:
        info = v1.DeviceInfo(tuple(c["fw_version"]), c["imu"], c["board"], c["status"],
                             c["acc_fs_g"], c["gyro_fs_dps"], c["rate_hz"], c["t_us"],
                             c["next_seq"])
        assert info.encode().hex() == c["payload"]
        assert v1.DeviceInfo.decode(bytes.fromhex(c["payload"])) == info
    for c in VECTORS["commands"]:
        assert v1.command(c["type"], c["rate_hz"]).hex() == c["payload"]
    for c in VECTORS["scale"]:
        a, sa = v1.quantize(c["g"], 4096.0)
        w, sw = v1.quantize(c["dps"], 32.768)
        assert (a, w, int(sa) | 2 * int(sw)) == (c["acc"], c["gyro"], c["flags"])


@pytest.mark.parametrize("framing", ["ble", "serial"])
def test_python_decodes_every_vector_sample(framing: str) -> None:
    for c in VECTORS["samples"]:
        dec = v1.SensorcoachV1Decoder(100)
        if framing == "ble":
            block = dec.feed_packet(bytes.fromhex(c["payload"]))
        else:
            block = dec.feed(bytes.fromhex(c["serial"]))
        block = SampleBlock.concat([block, dec.finish()], gyro=True)
        assert len(block) == 1, c["name"]
        assert block.gyro is not None
        np.testing.assert_array_equal(block.acc[0], np.array(c["acc"]) * 8 / 32768)
        np.testing.assert_array_equal(block.gyro[0], np.array(c["gyro"]) * 1000 / 32768)
        assert dec.stats.frames_ok == 1 and dec.stats.bytes_skipped == 0


@pytest.mark.parametrize("case", VECTORS["streams"], ids=lambda c: c["name"])
def test_python_stream_vectors_unroll_wraps_and_count_gaps(case: dict[str, Any]) -> None:
    dec = v1.SensorcoachV1Decoder(case["rate_hz"])
    blocks = [dec.feed_packet(bytes.fromhex(h)) for h in case["notifications"]]
    block = SampleBlock.concat([*blocks, dec.finish()], gyro=True)
    exp = case["expected"]
    np.testing.assert_allclose(block.t, exp["t_s"], atol=1e-9)
    assert np.rint(block.acc[:, 0] * 4096).astype(int).tolist() == exp["acc_x_lsb"]
    assert dec.stats.samples_dropped == exp["samples_dropped"]
    assert dec.stats.reordered == exp["reordered"]
    assert dec.stats.late_dropped == exp["late_dropped"]
    # The same frames over serial, as one byte stream.
    ser = v1.SensorcoachV1Decoder(case["rate_hz"])
    data = b"".join(v1.frame(bytes.fromhex(h)) for h in case["notifications"])
    block2 = SampleBlock.concat([ser.feed(data), ser.finish()], gyro=True)
    np.testing.assert_allclose(block2.t, exp["t_s"], atol=1e-9)
    assert ser.stats.samples_dropped == exp["samples_dropped"]
