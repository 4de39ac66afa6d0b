"""The guided routine's state machine and the buzz (dashboard/static/guide.js, issue 16
items 1, 2, 5), driven with hand-made live samples and events in headless Chromium: no
server, no clock (stream time comes with the samples; the buzz's clock is injected)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash_harness import launch

from dashboard.routine_guide import default_target, exercises
from sensorcoach.core.catalogue import Exercise

GUIDE_JS = Path(__file__).resolve().parents[1] / "dashboard" / "static" / "guide.js"


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    for browser in launch():
        p = browser.new_page()
        p.set_content("<!doctype html><title>guide</title>")
        p.add_script_tag(path=str(GUIDE_JS))
        yield p
        p.close()


def run(page: Any, body: str) -> Any:
    """``body`` (JavaScript, ending in ``return ...``) with ``G`` (SCGuide) and ``cat``
    (the server's exercise list) in scope."""
    return page.evaluate(f"(cat) => {{ const G = window.SCGuide; {body} }}", exercises())


def test_catalogue_offers_every_exercise_once_with_sides_and_default_targets() -> None:
    ex = {e["id"]: e for e in exercises()}
    assert ex["side_plank"]["kinds"] == {"left": "side_plank_left",
                                         "right": "side_plank_right"}
    assert ex["side_plank"]["sides"] == ["left", "right"]
    assert ex["plank"]["kinds"] == {"": "plank"} and ex["plank"]["sides"] == []
    assert ex["glute_bridge"]["modes"] == ["hold", "reps"]
    assert set(ex["glute_bridge"]["targets"]) == {"hold", "reps"}
    assert ex["single_leg_deadlift"]["set_kind"] == "deadlift"
    assert ex["single_leg_bridge"]["set_kind"] == "bridge"
    assert ex["child_pose"]["label"] == "Child's pose"
    # bird dog sides are told at the end of the set: the live timer is the bout's
    assert ex["bird_dog"]["sides_at_end"]
    assert not ex["plank"]["sides_at_end"] and not ex["cat_cow"]["sides_at_end"]
    assert "(" not in ex["plank"]["target_text"]  # the source note is for the catalogue
    # the lower end of the usual range, in the mode's unit
    both = Exercise("x", ("hold", "reps"), 0.0, None, None, "", None, (),
                    "10-45 s, or 8-15 reps")
    assert (default_target(both, "hold"), default_target(both, "reps")) == (10, 8)
    cycles = Exercise("y", ("reps",), 0.0, None, None, "", None, (), "6-12 slow cycles")
    assert default_target(cycles, "reps") == 6
    words = Exercise("z", ("hold",), 0.0, None, None, "", None, (), "as long as you can")
    assert default_target(words, "hold") == 20  # no range: the fallback


def test_timer_waits_for_the_detected_hold_and_follows_the_side_done_first(page: Any) -> None:
    r = run(page, """
      const items = G.expand({exercises: [{id: "plank", sets: 1, target: 30},
                                          {id: "side_plank", sets: 1, target: 15}]}, cat);
      const m = new G.Machine(items, 20);
      const out = {labels: items.map(i => i.label)};
      out.idle = m.sample({t_s: 10, hold_kind: null, hold_s: null});
      out.other = m.sample({t_s: 11, hold_kind: "side_plank_left", hold_s: 1.0});
      out.v_ready = m.view();
      out.start = m.sample({t_s: 12, hold_kind: "plank", hold_s: 1.5});
      out.v_active = m.view();
      out.before = m.sample({t_s: 40, hold_kind: "plank", hold_s: 29.5});
      out.reach = m.sample({t_s: 41, hold_kind: "plank", hold_s: 30.5});
      out.again = m.sample({t_s: 42, hold_kind: "plank", hold_s: 31.5});
      out.end = m.event("hold", {kind: "plank", duration_s: 33.0, start_s: 11.0, end_s: 44.0,
                                 stability: {score: 80}});
      out.v_rest = m.view();
      m.sample({t_s: 50, hold_kind: null, hold_s: null});
      out.v_rest2 = m.view();
      out.right = m.sample({t_s: 52, hold_kind: "side_plank_right", hold_s: 1.0});
      out.v_right = m.view();
      out.right_end = m.event("hold", {kind: "side_plank_right", duration_s: 20.0, end_s: 75.0});
      out.over = m.sample({t_s: 96, hold_kind: null, hold_s: null});
      out.v_over = m.view();
      m.sample({t_s: 101, hold_kind: "side_plank_left", hold_s: 0.5});
      out.last = m.event("hold", {kind: "side_plank_left", duration_s: 12.0, end_s: 115.0});
      out.phase = m.phase;
      out.trace = m.trace;
      out.summary = G.summary(m.results, {plank: 25, side_plank_left: 14});
      return out;""")
    assert r["labels"] == ["Plank", "Side plank (left)", "Side plank (right)"]
    assert r["idle"] == [] and r["other"] == []  # not the plank: the timer does not start
    assert r["v_ready"]["phase"] == "ready" and r["v_ready"]["value"] is None
    assert r["v_ready"]["next"]["label"] == "Side plank (left)"  # the one after the plank
    assert [e["type"] for e in r["start"]] == ["start"]
    assert r["v_active"]["value"] == 1.5  # from the detector's start, not from now
    assert r["before"] == [] and [e["type"] for e in r["reach"]] == ["target"]
    assert r["again"] == []  # one target buzz per item
    assert [e["type"] for e in r["end"]] == ["rest"]
    assert r["v_rest"]["phase"] == "rest" and r["v_rest"]["rest_left_s"] == 22
    assert r["v_rest"]["next"]["label"] == "Side plank (left)"
    assert r["v_rest2"]["rest_left_s"] == 14
    # the right side done first: the guide takes it, and the left one comes next
    assert [e["type"] for e in r["right"]] == ["start"]
    assert r["v_right"]["item"]["kind"] == "side_plank_right"
    assert r["v_right"]["next"]["label"] == "Side plank (left)"
    assert [e["type"] for e in r["right_end"]] == ["target", "rest"]
    assert [e["type"] for e in r["over"]] == ["rest_over"]
    assert r["v_over"]["phase"] == "ready"
    assert [e["type"] for e in r["last"]] == ["done"] and r["phase"] == "done"
    assert [(t["phase"], t["detected"]) for t in r["trace"]][:2] == [
        ("active", "plank"), ("rest", None)]
    rows = {x["kind"]: x for x in r["summary"]["rows"]}
    assert rows["plank"]["values"] == [33.0] and rows["plank"]["last"] == 25
    assert rows["side_plank_left"]["reached"] == 0 and rows["side_plank_right"]["reached"] == 1
    sides = r["summary"]["sides"]
    assert len(sides) == 1 and sides[0]["label"] == "Side plank"
    assert (sides[0]["left"], sides[0]["right"]) == (12.0, 20.0)
    assert sides[0]["imbalance_pct"] == 40.0 and sides[0]["weaker"] == "left"


def test_reps_count_from_the_set_under_way_and_the_finished_set_names_the_side(
        page: Any) -> None:
    r = run(page, """
      const items = G.expand({exercises: [{id: "deadlift", sets: 1, target: 8},
                                          {id: "single_leg_deadlift", sets: 1, target: 5}]}, cat);
      const m = new G.Machine(items, 10);
      const out = {units: items.map(i => i.unit)};
      out.hold = m.sample({t_s: 5, hold_kind: "plank", hold_s: 3});  // not a deadlift
      out.start = m.sample({t_s: 6, set_kind: "deadlift", set_count: 3});
      out.seven = m.sample({t_s: 20, set_kind: "deadlift", set_count: 7});
      out.eight = m.sample({t_s: 22, set_kind: "deadlift", set_count: 8});
      out.end = m.event("reps", {kind: "deadlift", count: 9, end_s: 30});
      m.sample({t_s: 41, set_kind: null, set_count: 0});
      out.sl = m.sample({t_s: 45, set_kind: "deadlift", set_count: 2});
      out.sl_item = m.view().item.kind;
      out.sl5 = m.sample({t_s: 50, set_kind: "deadlift", set_count: 5});
      out.right = m.event("reps", {kind: "single_leg_deadlift_right", count: 6, end_s: 60});
      out.next = m.view().item.kind;
      out.left = m.event("reps", {kind: "single_leg_deadlift_left", count: 4, end_s: 80});
      out.summary = G.summary(m.results, {});
      return out;""")
    assert r["units"] == ["reps", "reps", "reps"]
    assert r["hold"] == [] and [e["type"] for e in r["start"]] == ["start"]
    assert r["seven"] == [] and [e["type"] for e in r["eight"]] == ["target"]
    assert [e["type"] for e in r["end"]] == ["rest"]
    assert [e["type"] for e in r["sl"]] == ["start"] and r["sl_item"] == "single_leg_deadlift_left"
    # the finished set says it was the right leg: the guide swaps, the left one is next;
    # the set's target buzz came while counting, not once more (a regression seen live)
    assert [e["type"] for e in r["sl5"]] == ["target"]
    assert [e["type"] for e in r["right"]] == ["rest"]
    assert r["next"] == "single_leg_deadlift_left"
    assert [e["type"] for e in r["left"]] == ["done"]
    side = r["summary"]["sides"][0]
    assert (side["left"], side["right"], side["weaker"]) == (4, 6, "left")


def test_stretch_a_b_sides_a_withdrawn_hold_and_skip(page: Any) -> None:
    r = run(page, """
      const items = G.expand({exercises: [{id: "child_pose", sets: 1, target: 20},
                                          {id: "side_plank", sets: 1, target: 15},
                                          {id: "plank", sets: 2, target: 30}]}, cat);
      const m = new G.Machine(items, 0);
      const out = {};
      out.held = m.sample({t_s: 1, hold_kind: "plank", hold_s: 2, stretch_s: null});
      out.start = m.sample({t_s: 2, hold_kind: null, stretch_s: 1.0});
      out.reach = m.sample({t_s: 22, hold_kind: null, stretch_s: 21.0});
      out.end = m.event("hold", {kind: "child_pose", duration_s: 24, end_s: 26, target_s: 20});
      // no forward calibration: side A is the side plank under way
      out.a = m.sample({t_s: 30, hold_kind: "side_plank_a", hold_s: 1.0});
      out.a_item = m.view().item.kind;
      out.a_end = m.event("hold", {kind: "side_plank_a", duration_s: 16, end_s: 46});
      out.skip = m.skip();
      out.after_skip = m.view().item.label;
      m.sample({t_s: 50, hold_kind: "plank", hold_s: 3.0});
      m.sample({t_s: 60, hold_kind: "plank", hold_s: 13.0});
      m.sample({t_s: 61, hold_kind: null, hold_s: null});  // the hold is gone, no event
      out.waiting = m.sample({t_s: 70, hold_kind: null, hold_s: null});
      out.lost = m.sample({t_s: 61 + G.LOST_S + 1, hold_kind: null, hold_s: null});
      out.v_lost = m.view();
      m.sample({t_s: 90, hold_kind: "plank", hold_s: 2.0});
      out.plank = m.event("hold", {kind: "plank", duration_s: 31, end_s: 120});
      out.finish = m.finish();
      out.results = m.results.map(x => [x.item.kind, x.value, x.skipped]);
      return out;""")
    assert r["held"] == []  # a plank is not the stretch the guide waits for
    assert [e["type"] for e in r["start"]] == ["start"]
    assert [e["type"] for e in r["reach"]] == ["target"]
    assert [e["type"] for e in r["end"]] == ["rest"]
    assert [e["type"] for e in r["a"]] == ["start"] and r["a_item"] == "side_plank_left"
    assert [e["type"] for e in r["a_end"]] == ["target", "rest"]
    assert r["skip"] == [] and r["after_skip"] == "Plank"
    # a hold the detector withdrew (no finished hold came): not counted, the plank waits
    assert r["waiting"] == [] and [e["type"] for e in r["lost"]] == ["lost"]
    assert r["v_lost"]["phase"] == "ready" and r["v_lost"]["value"] is None
    assert [e["type"] for e in r["plank"]] == ["target", "rest"]
    assert [e["type"] for e in r["finish"]] == ["done"]
    assert r["results"] == [["child_pose", 24, False], ["side_plank_left", 16, False],
                            ["side_plank_right", None, True], ["plank", 31, False]]


def test_buzz_respects_switches_and_the_minimum_interval(page: Any) -> None:
    r = run(page, """
      const calls = [], tones = [];
      let now = 0;
      const nav = {vibrate: p => { calls.push(p); return true; }};
      const audio = () => ({currentTime: 0, destination: {}, state: "running",
        createGain: () => ({gain: {}, connect() {}}),
        createOscillator: () => ({frequency: {}, connect() {},
                                  start: t => tones.push(t), stop() {}})});
      const b = new G.Buzzer({min_interval_s: 60}, {navigator: nav, audio, now: () => now});
      const out = {};
      out.first = b.buzz("slump");
      now = 30000; out.soon = b.buzz("slump"); out.other = b.buzz("form_break");
      out.t1 = b.buzz("target"); out.t2 = b.buzz("target");  // targets are not alerts
      now = 61000; out.later = b.buzz("slump");
      b.settings.slump = false; now = 200000; out.off = b.buzz("slump");
      out.calls = calls.slice();
      b.settings.vibrate = false; out.sound = b.buzz("form_break");
      const quiet = new G.Buzzer({sound: false}, {navigator: {}, audio, now: () => 0});
      out.nothing = quiet.buzz("slump");
      const blocked = new G.Buzzer({}, {navigator: {vibrate: () => false}, audio, now: () => 0});
      out.blocked = blocked.buzz("target");
      out.tones = tones.length;
      return out;""")
    assert r["first"] == "vibrate" and r["soon"] == "too_soon" and r["other"] == "vibrate"
    assert r["t1"] == r["t2"] == "vibrate" and r["later"] == "vibrate" and r["off"] == "off"
    assert r["calls"] == [[200, 100, 200], [400], [80, 60, 80, 60, 80],
                          [80, 60, 80, 60, 80], [200, 100, 200]]
    assert r["sound"] == "sound"  # vibration switched off: a tone
    assert r["nothing"] == "unavailable"  # no vibration and no sound wanted
    assert r["blocked"] == "sound"  # the browser refused to vibrate (no tap yet): a tone
    assert r["tones"] == 1 + 3  # one tone for the form break, three for the target


def test_a_finished_exercise_done_out_of_order_counts_and_the_current_one_waits(
        page: Any) -> None:
    r = run(page, """
      const items = G.expand({exercises: [{id: "stretch_hamstring", sets: 1, target: 20},
                                          {id: "knee_to_belly", sets: 1, target: 20},
                                          {id: "plank", sets: 1, target: 20}]}, cat);
      const m = new G.Machine(items, 10);
      const out = {};
      // a stretch posture: the hamstring stretch is the one waited for
      out.start = m.sample({t_s: 10, hold_kind: null, stretch_s: 1.0});
      // it was the knee to belly (right): that item is done, the hamstring waits again
      out.end = m.event("hold", {kind: "knee_to_belly_right", duration_s: 25, end_s: 36});
      out.view = m.view();
      out.plank_first = m.event("hold", {kind: "plank", duration_s: 40, end_s: 90});
      out.unplanned = m.event("hold", {kind: "side_plank_left", duration_s: 30, end_s: 130});
      out.results = m.results.map(x => [x.item.kind, x.value]);
      out.left = m.items.slice(m.i).map(x => x.kind);
      return out;""")
    assert [e["type"] for e in r["start"]] == ["start"]
    assert [e["type"] for e in r["end"]] == ["target", "rest"]
    assert r["view"]["item"]["kind"] == "stretch_hamstring" and r["view"]["value"] is None
    assert [e["type"] for e in r["plank_first"]] == ["target", "rest"]
    assert r["unplanned"] == []  # not in the routine: nothing happens
    assert r["results"] == [["knee_to_belly_right", 25], ["plank", 40]]
    assert r["left"] == ["stretch_hamstring", "knee_to_belly_left"]


def test_target_buzz_not_repeated_when_the_finished_set_names_the_other_side(
        page: Any) -> None:
    """Seen on a replayed routine: the left leg's set reached its target (a buzz), the
    finished set said right leg, and the guide buzzed a second time for the same set."""
    r = run(page, """
      const m = new G.Machine(G.expand({exercises: [
        {id: "single_leg_deadlift", sets: 1, target: 5}]}, cat), 10);
      const fx = [];
      fx.push(...m.sample({t_s: 1, set_kind: "deadlift", set_count: 2}));
      fx.push(...m.sample({t_s: 9, set_kind: "deadlift", set_count: 5}));
      fx.push(...m.event("reps", {kind: "single_leg_deadlift_right", count: 7, end_s: 12}));
      return fx.map(e => e.type);""")
    assert r == ["start", "target", "rest"]


def test_summary_lost_the_exercise_never_done_when_the_session_ended(page: Any) -> None:
    """Walking ``make demo``: the planned glute-bridge hold never came (the routine did
    repetitions); the replay ended and the summary had no glute-bridge row at all."""
    r = run(page, """
      const m = new G.Machine(G.expand({exercises: [{id: "plank", sets: 1, target: 30},
                                                    {id: "glute_bridge", sets: 2, target: 20}]},
                                       cat), 10);
      m.sample({t_s: 1, hold_kind: "plank", hold_s: 1});
      m.event("hold", {kind: "plank", duration_s: 35, end_s: 36});
      const before = m.missed();
      m.finish();  // the followed session ended
      return {before: before.length, missed: m.missed().map(x => x.kind),
              rows: G.summary(m.results, {}, m.missed()).rows};""")
    assert r["before"] == 0  # still running: nothing is missed yet
    assert r["missed"] == ["glute_bridge", "glute_bridge"]
    rows = {x["kind"]: x for x in r["rows"]}
    assert rows["plank"]["values"] == [35] and rows["plank"]["missed"] == 0
    assert rows["glute_bridge"]["values"] == [None, None]
    assert rows["glute_bridge"]["missed"] == 2 and rows["glute_bridge"]["reached"] == 0


def test_bird_dog_timer_starts_with_the_bout_and_shows_the_side_once_told(page: Any) -> None:
    """Bird dog had no live timer: its sides are told only when the bout ends. The timer
    now runs from the bout on all fours; the side shows once the bout has told it."""
    r = run(page, """
      const m = new G.Machine(G.expand({exercises: [{id: "bird_dog", sets: 1, target: 6}]},
                                       cat), 10);
      const out = {};
      out.idle = m.sample({t_s: 60, hold_kind: null, bird_dog_s: null});
      out.plank = m.sample({t_s: 61, hold_kind: "plank", hold_s: 1, bird_dog_s: 3});
      out.catcow = m.sample({t_s: 62, set_kind: "cat_cow", set_count: 2, bird_dog_s: 4});
      out.start = m.sample({t_s: 63, hold_kind: null, bird_dog_s: 1.5});
      out.v_start = m.view();
      out.long = m.sample({t_s: 75, bird_dog_s: 13.5});  // past the 6 s target: no buzz
      out.side = m.sample({t_s: 85, bird_dog_s: 23.5, bird_dog_side: "bird_dog_right",
                           bird_dog_side_s: 4.5});
      out.v_side = m.view();
      out.end = m.event("hold", {kind: "bird_dog_left", duration_s: 8, end_s: 80});
      out.end2 = m.event("hold", {kind: "bird_dog_right", duration_s: 7, end_s: 92});
      out.trace = m.trace.map(x => [x.phase, x.t_s, x.detected]);
      return out;""")
    assert r["idle"] == [] and r["plank"] == [] and r["catcow"] == []
    assert [e["type"] for e in r["start"]] == ["start"]
    assert r["v_start"]["value"] == 1.5 and r["v_start"]["side"] is None
    assert r["v_start"]["item"]["kind"] == "bird_dog_left"
    assert r["long"] == []  # the bout's time is not a side's: no target buzz from it
    assert r["v_side"]["value"] == 23.5
    assert r["v_side"]["side"] == {"kind": "bird_dog_right", "s": 4.5}
    assert [e["type"] for e in r["end"]] == ["target", "rest"]  # each side judged at the end
    assert [e["type"] for e in r["end2"]] == ["target", "done"]
    assert r["trace"][0] == ["active", 63, "bird_dog"]


def test_summary_compared_a_whole_routine_with_a_short_workout(page: Any) -> None:
    """Walking ``make demo``: the routine's summary was compared with the newest session
    that had any of its exercises (a short plank workout), not with the routine before."""
    r = run(page, """
      const kinds = {plank: true, side_plank_left: true, bird_dog_left: true, cat_cow: true};
      const found = [{name: "plank workout", bests: {plank: 55, stretch_hamstring: 20}},
                     null,  // could not be read
                     {name: "routine yesterday", bests: {plank: 90, bird_dog_left: 9,
                                                         cat_cow: 8}},
                     {name: "routine before", bests: {plank: 80, bird_dog_left: 8,
                                                      cat_cow: 7}}];
      return [G.lastSession(found, kinds).name, G.lastSession(found.slice(0, 2), kinds).name,
              G.lastSession([{name: "desk", bests: {}}], kinds)];""")
    assert r == ["routine yesterday", "plank workout", None]
