"""What recording a contract's other fiscal funding takes and answers (one item of work is funded once)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from api.http.models.commands import Body
from api.http.models.examples import example
from api.http.models.fields import Fen, Moment, Text


class RecordOtherFunding(Body):
    model_config = example("RecordOtherFunding")

    contract_no: Text = Field(description="the provider's contract number, as a claim would name it")
    fund_name: Text = Field(description="the other fiscal fund that paid for the contract")
    document_no: Text = Field(description="the document number of that fund's grant")
    amount_fen: Fen
    effective_at: Moment = Field(description="when that fund granted it")
    reason: Text


class ContractFundingOut(BaseModel):
    provider_id: UUID
    contract_no: str = Field(description="as compared: full-width forms made plain, dashes unified, invisible "
                                         "characters dropped, trimmed, upper-cased")
    source: str = Field(description="OTHER_FUND (an award's funding is recorded by its grant: AWARD)")
