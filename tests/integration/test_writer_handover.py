"""The event loop's hand-over to the group-commit writer: requests sent in one turn of the loop go to the writer
together and each gets exactly its own command's answer — a refusal goes to its own request only."""

import asyncio

from api.http.writer_handover import WriterHandover
from ledger.errors import LedgerError
from tests.integration.test_group_commit import claim_command
from writer.group_commit import GroupCommitWriter


def test_requests_of_one_turn_are_decided_together_and_each_gets_its_own_answer(world):
    app = world.app
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    world.advance(days=5)
    commands = [claim_command(world, voucher, platform, 2_000_000, contract_no="HT-A", invoice_nos=("I-1",)),
                claim_command(world, voucher, platform, 1_000_000, contract_no="HT-A", invoice_nos=("I-1",)),
                claim_command(world, voucher, platform, 3_000_001)]

    async def send_all(handover):
        return await asyncio.gather(*(handover.send(command, by, None) for command, by in commands),
                                    return_exceptions=True)

    with GroupCommitWriter(app) as writer:
        results = asyncio.run(send_all(WriterHandover(writer)))
    assert writer.batches == 1  # one hand-over, one batch
    assert [r.claim_id for r in (results[0], results[2])] == [commands[0][0].claim_id, commands[2][0].claim_id]
    assert [results[0].amount_fen, results[2].amount_fen] == [1_000_000, 1_500_000]  # half of each fee
    assert isinstance(results[1], LedgerError) and results[1].code == "DUPLICATE_CLAIM"
    assert app.voucher(voucher).held_fen == 2_500_000


def test_a_stopped_writer_fails_every_request_of_the_turn(world):
    voucher = world.issue(world.eligible_enterprise()).voucher_id
    platform = world.provider()
    writer = GroupCommitWriter(world.app)
    writer._broken = RuntimeError("stopped")  # as after an internal error of the writer
    commands = [claim_command(world, voucher, platform, 1_000_000) for _ in range(2)]

    async def send_all(handover):
        return await asyncio.gather(*(handover.send(command, by, None) for command, by in commands),
                                    return_exceptions=True)

    results = asyncio.run(send_all(WriterHandover(writer)))
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
