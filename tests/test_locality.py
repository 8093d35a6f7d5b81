"""Data locality (pure): the host of each file, and packets going preferably to workers on it."""
from __future__ import annotations

from collections import Counter

import pytest

from proofshim.plan.locality import address_host, element_hosts, file_host
from proofshim.plan.packetizer import AdaptivePacketizer, Element


@pytest.mark.parametrize("url,host", [
    ("root://eos.example:1094//store/a.root", "eos.example"),
    ("root://alice@Node7.Example//data/a.root", "node7.example"),
    ("xroot://[2001:db8::5]:1094//a.root", "2001:db8::5"),
    ("roots://n1//a.root", "n1"),
    ("https://web.example/data/a.root", "web.example"),
    ("dcap://door.example:22125/pnfs/a.root", "door.example"),
    ("file:///data/a.root", "client"),
    ("/data/a.root", "client"),
    ("relative/a.root", "client"),
    ("mem://whatever", None),          # a scheme whose host means nothing
])
def test_file_host(url, host):
    assert file_host(url, client_host="client") == host


def test_element_hosts_compare_like_worker_addresses():
    resolved = {"n1.example": "10.0.0.1", "n2.example": "10.0.0.2"}
    hosts = element_hosts(
        ["root://n1.example//a.root", "root://n2.example:1094//b.root", "/shared/c.root",
         "root://elsewhere//d.root"],
        ["tcp://10.0.0.1:4000", "tcp://10.0.0.1:4001", "tcp://10.0.0.2:4000"],
        client_host="10.0.0.9", canonical=lambda h: resolved.get(h, h))
    assert hosts == ["10.0.0.1", "10.0.0.2", "10.0.0.9", "elsewhere"]


def test_one_worker_host_means_no_locality():
    assert element_hosts(["root://n1//a.root"], ["tcp://10.0.0.1:1", "tcp://10.0.0.1:2"]) == [None]
    assert element_hosts(["root://n1//a.root"], []) == [None]


def test_address_host():
    assert address_host("tcp://10.1.2.3:8786") == "10.1.2.3"
    assert address_host("tls://node.example:8786") == "node.example"
    assert address_host("10.1.2.3:8786") == "10.1.2.3"


# ---------------------------------------------------------------- the packetizer side
def _elements(sizes, hosts):
    return [Element(i, 0, n, h) for i, (n, h) in enumerate(zip(sizes, hosts))]


def _drain(pk, slots, hosts):
    """Round-robin the slots (one packet in flight each) until nothing is left; returns
    (slot, packet) for every packet, each reported done at once."""
    handed, active = [], list(slots)
    while active:
        for slot in list(active):
            p = pk.next_packet(slot, hosts[slot])
            if p is None:
                active.remove(slot)
                continue
            handed.append((slot, p))
            pk.packet_done(slot, p, elapsed=p.entries / 1000)
    return handed


def test_workers_read_their_own_hosts_files_first_and_every_entry_once():
    sizes = [4000, 3000, 5000, 2000, 4000, 3000]
    file_hosts = ["n1", "n2", "n1", "n2", "n1", "n2"]
    pk = AdaptivePacketizer(_elements(sizes, file_hosts), first_packet_entries=200, min_packet_entries=50)
    slot_hosts = {"a": "n1", "b": "n1", "c": "n2", "d": "n2"}
    handed = _drain(pk, slot_hosts, slot_hosts)
    # every entry exactly once
    covered = Counter()
    pieces = [(s, piece) for s, p in handed for piece in p.pieces]   # a packet may span files
    for _, (element, first, num) in pieces:
        for e in range(first, first + num):
            covered[(element, e)] += 1
    assert len(covered) == sum(sizes) and set(covered.values()) == {1}
    # n1 holds 13000 entries and n2 8000: n2's workers run out first and then help with n1's files,
    # but until then nobody reads a remote file (not even to top up a packet).
    local = sum(num for s, (element, _, num) in pieces if file_hosts[element] == slot_hosts[s])
    assert local >= 8000 + 8000, f"only {local} of {sum(sizes)} entries read where they are"
    first_remote = next(i for i, (s, (element, _, _)) in enumerate(pieces) if file_hosts[element] != slot_hosts[s])
    n2_done = sum(num for s, (element, _, num) in pieces[:first_remote] if file_hosts[element] == "n2")
    assert n2_done == 8000, "a worker read a remote file while its own host still had work"


def test_falls_back_to_any_file_when_none_is_local():
    pk = AdaptivePacketizer(_elements([1000, 1000], ["n1", "n1"]), first_packet_entries=100)
    p = pk.next_packet("x", host="n9")
    assert p is not None and p.element in (0, 1)
    pk = AdaptivePacketizer(_elements([1000, 1000], [None, "n1"]), first_packet_entries=100)
    assert pk.next_packet("x", host="n1").element == 1
    # a local file another worker reads is still preferred to a remote one (they split it)
    assert pk.next_packet("y", host="n1").element == 1
    assert pk.next_packet("z", host="n2").element == 0


def test_requeued_work_goes_to_a_worker_on_its_host_first():
    pk = AdaptivePacketizer(_elements([1000, 1000], ["n1", "n2"]), first_packet_entries=100)
    pa = pk.next_packet("a", host="n1")
    pb = pk.next_packet("b", host="n2")
    assert (pa.element, pb.element) == (0, 1)
    lost = pk.slot_lost("a") + pk.slot_lost("b")
    assert [p.element for p in lost] == [0, 1]     # element 0's packet is the older one
    p = pk.next_packet("c", host="n2")
    assert (p.element, p.first, p.num) == (1, pb.first, pb.num)
    p = pk.next_packet("d", host="n7")            # no local requeued work: the oldest
    assert (p.element, p.first, p.num) == (0, pa.first, pa.num)
