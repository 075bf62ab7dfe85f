"""model.Body: a rendered body the model holds itself, packed, many to one buffer."""

from __future__ import annotations

import dataclasses
import pickle

from journeyblog.model import Body, Heading, packed_together
from journeyblog.reads import body_mark, recording


def _bodies() -> list[Body]:
    return [
        Body.of(
            f"<h2 id='s{n}'>Part {n}</h2><p>{'Café “quoted” ' * n}end {n}.</p>",
            f"part {n} cafe quoted",
            (Heading(level=2, id=f"s{n}", text=f"Part {n}"),),
            words=3 * n + 3,
        )
        for n in range(1, 6)
    ]


def test_bodies_packed_together_read_back_each_its_own_texts() -> None:
    alone = _bodies()
    together = packed_together(alone)

    assert len({id(body.packed) for body in together}) == 1
    for one, shared in zip(alone, together, strict=True):
        assert shared.html == one.html and shared.feed_html == one.feed_html
        assert shared.search_words == one.search_words
        assert shared.toc == one.toc and shared.words == one.words
        assert shared.packed_html == one.packed_html  # what the cache keeps, the same bytes
        assert shared == one and hash(shared) == hash(one)  # wherever it is packed
    assert together[0] != together[1]


def test_a_body_survives_a_trip_to_a_worker() -> None:
    together = packed_together(_bodies())
    again = pickle.loads(pickle.dumps(together))
    assert [body.html for body in again] == [body.html for body in together]


def test_reading_a_body_while_recording_notes_it_and_its_word_count_apart() -> None:
    first, second, third = packed_together(_bodies())[:3]
    with recording() as reading:
        str(first.html)
        second.toc  # noqa: B018 (read for its side effect: the note)
        third.words  # noqa: B018
    reads = reading.reads()
    assert reads.bodies == {""} and reads.counts == {""}  # of unknown making: "" each

    keyed = [dataclasses.replace(body, key=f"k{n}") for n, body in enumerate((first, third))]
    with recording() as reading:
        str(keyed[0].html)
        keyed[1].words  # noqa: B018
    reads = reading.reads()
    assert reads.bodies == {body_mark("k0", keyed[0].made_from)}
    assert reads.counts == {body_mark("k1", keyed[1].made_from)}
    # Outside a recording nothing is noted, and nothing breaks.
    assert str(first.html).startswith("<h2")
