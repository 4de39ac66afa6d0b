"""micro:bit, Thingy:52, Sensor Logger, phyphox and generic CSV codecs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from firmware_interface.codecs import _table, generic_csv, phyphox, sensorlogger
from firmware_interface.codecs.microbit import MicrobitDecoder
from firmware_interface.codecs.thingy52 import Thingy52Decoder
from firmware_interface.errors import DecodeError
from firmware_interface.samples import G0, DecodeStats, SampleBlock


def test_microbit_golden_notification() -> None:
    dec = MicrobitDecoder(50.0)
    block = dec.feed_packet(bytes.fromhex("e8 03 18 fc 00 00"))  # 1000, -1000, 0 mg
    np.testing.assert_array_equal(block.acc, [[1.0, -1.0, 0.0]])
    assert block.gyro is None and block.t.tolist() == [0.0]
    bad = dec.feed_packet(b"\x01\x02\x03")  # wrong length: dropped, its slot consumed
    assert len(bad) == 0 and dec.stats.records_bad == 1
    assert dec.feed_packet(bytes(6)).t.tolist() == [0.04]


def test_thingy_golden_notification_and_split_capture() -> None:
    rec = bytes.fromhex("00 04 00 fc 00 00  20 00 e0 ff 40 00  10 00 20 00 30 00")
    want_acc = [[1.0, -1.0, 0.0]]
    want_gyro = [[1.0, -1.0, 2.0]]
    b = Thingy52Decoder(10.0).feed_packet(rec)
    np.testing.assert_array_equal(b.acc, want_acc)
    np.testing.assert_array_equal(b.gyro, want_gyro)
    for cut in range(1, 36):
        dec = Thingy52Decoder(10.0)
        stream = rec * 2 + rec[:5]
        out = SampleBlock.concat([dec.feed(stream[:cut]), dec.feed(stream[cut:]),
                                  dec.finish()], gyro=True)
        np.testing.assert_array_equal(out.acc, want_acc * 2)
        np.testing.assert_allclose(out.t, [0.0, 0.1])
        assert dec.stats.bytes_skipped == 5


def msg(mid: int, items: list[tuple[str, int, float, float, float]]) -> dict[str, object]:
    return {"messageId": mid, "sessionId": "s1", "deviceId": "d1",
            "payload": [{"name": n, "time": t, "values": {"x": x, "y": y, "z": z}}
                        for n, t, x, y, z in items]}


T0 = 1_700_000_000_000_000_000


def sl_messages(n_msgs: int = 6, per: int = 5) -> list[dict[str, object]]:
    out = []
    for m in range(n_msgs):
        items = []
        for k in range(per):
            i = m * per + k
            t = T0 + i * 10_000_000  # 100 Hz
            items += [("accelerometer", t, 0.1, 0.0, 0.0), ("gravity", t, 0.0, 0.0, G0),
                      ("gyroscope", t, 0.0, np.pi, 0.0)]
        out.append(msg(m, items))
    return out


def test_sensorlogger_push_out_of_order_and_duplicates() -> None:
    msgs = sl_messages()
    dec = sensorlogger.SensorLoggerPushDecoder(latency_s=0.0)
    order = [0, 2, 1, 3, 3, 5, 4, 1]
    fresh = [dec.add(json.dumps(msgs[i])) for i in order]
    assert fresh == [True, True, True, True, False, True, True, False]
    block = SampleBlock.concat([dec.drain(), dec.drain(final=True)], gyro=True)
    np.testing.assert_allclose(block.t, np.arange(30) * 0.01)
    np.testing.assert_allclose(block.acc, [[0.1 / G0, 0.0, 1.0]] * 30)
    np.testing.assert_allclose(block.gyro, [[0.0, 180.0, 0.0]] * 30)
    assert dec.stats.duplicates == 2 and dec.stats.reordered == 2


def test_sensorlogger_ios_raw_sign_and_live_latency() -> None:
    msgs = sl_messages()
    dec = sensorlogger.SensorLoggerPushDecoder(frame="ios-raw", latency_s=0.02)
    dec.add(msgs[0])
    first = dec.drain()
    assert len(first) == 3  # the last 20 ms wait for late messages
    np.testing.assert_allclose(first.acc[0], [-0.1 / G0, 0.0, -1.0])
    dec.add(msgs[1])
    assert dec.drain(final=True).t[0] == pytest.approx(0.03)


def test_sensorlogger_rejects_gravity_free_acceleration() -> None:
    series = {"accelerometer": sensorlogger.Series(np.array([1, 2]), np.zeros((2, 3)))}
    with pytest.raises(DecodeError, match="Gravity"):
        sensorlogger.combine(series, ios_raw=False, stats=DecodeStats())


def test_table_sniffs_separators_and_decimal_comma() -> None:
    variants = [
        b'"Time (s)","Acceleration x (m/s^2)"\n1.0E-2,9.80665E0\n2E-2,NaN\n',
        b'"Time (s)"\t"Acceleration x (m/s^2)"\n0,01\t9,80665\n0,02\tNaN\n',
        b'"Time (s)";"Acceleration x (m/s^2)"\n0,01;9,80665\n0,02;NaN\n',
    ]
    for v in variants:
        names, table = _table.read_table(v)
        assert names == ["Time (s)", "Acceleration x (m/s^2)"]
        np.testing.assert_allclose(table[0], [0.01, 9.80665])
        assert np.isnan(table[1, 1])
    with pytest.raises(DecodeError) as e:
        _table.read_table(b"a,b\n1,2\n\n3,oops\n", path="f.csv")
    assert e.value.line == 4 and "f.csv:4" in str(e.value)


def test_phyphox_table_units_and_padding() -> None:
    names = ["Time (s)", "Acceleration x (m/s^2)", "Acceleration y (m/s^2)",
             "Acceleration z (m/s^2)", "Absolute acceleration (m/s^2)"]
    table = np.array([[0.0, 0, 0, G0, G0], [0.01, G0, 0, 0, G0], [np.nan] * 5])
    st = DecodeStats()
    pt = phyphox.from_table(names, table, st)
    np.testing.assert_allclose(pt.acc, [[0, 0, 1], [1, 0, 0]])
    assert pt.gyro is None and st.rows_padding == 1
    with pytest.raises(DecodeError, match="gravity removed"):
        phyphox.from_table(["Time (s)", "Linear Acceleration x (m/s^2)"], table[:, :2], st)


def test_phyphox_remote_incremental() -> None:
    dec = phyphox.PhyphoxRemoteDecoder()
    assert dec.query() == "/get?acc_time=full&accX=full&accY=full&accZ=full"
    reply = {"buffer": {"acc_time": {"buffer": [5.0, 5.01, 5.02]},
                        "accX": {"buffer": [0, 0, 0]}, "accY": {"buffer": [0, 0, 0]},
                        "accZ": {"buffer": [G0, G0]}}}  # one buffer read a bit earlier
    b = dec.feed(reply)
    np.testing.assert_allclose(b.t, [0.0, 0.01])
    since = "5.01|acc_time"
    assert dec.query() == f"/get?acc_time=5.01&accX={since}&accY={since}&accZ={since}"


def test_generic_mapping_guess_and_units() -> None:
    names = ["timestamp", "acc_x", "acc_y", "acc_z"]
    assert generic_csv.guess_mapping(names).columns == {"t": "timestamp", "ax": "acc_x",
                                                        "ay": "acc_y", "az": "acc_z"}
    cmap = generic_csv.parse_mapping("t=ms,ax=a,ay=b,az=c,time_unit=ms,acc_unit=m/s2")
    t, acc, gyro = generic_csv.apply(["ms", "a", "b", "c"],
                                     np.array([[100.0, 0, 0, G0], [120.0, 0, 0, G0]]), cmap)
    np.testing.assert_allclose(t, [0.0, 0.02])
    np.testing.assert_allclose(acc[:, 2], [1.0, 1.0])
    assert gyro is None
    with pytest.raises(DecodeError, match="time does not increase"):
        generic_csv.apply(["ms", "a", "b", "c"], np.array([[1.0, 0, 0, 1], [1.0, 0, 0, 1]]),
                          cmap)
