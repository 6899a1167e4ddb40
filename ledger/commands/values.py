"""Every command of the programme as a value: what the caller asks for, nothing about how or when it runs.

A command value is frozen and compares by its fields, so the HTTP routes, the CLI, the simulator, the importer and
the benchmarks all build the same thing and hand it to one entry point, ``VoucherLedger.handle(command, by)`` (or to
the group-commit writer, which calls it). ``by`` — who, and the recorded time — travels beside the value: the clock
is read by the caller, never on the writer's thread.

``reads`` names the aggregates the command will load, derived from its own fields, so the writer can read a batch's
aggregates in one query; it is a hint (a wrong one costs time, never correctness), never typed by hand at a call
site. ``handler`` is the application method that decides the command: the keyword arguments it takes are exactly
the value's fields.

The values live by area, one module each (``party_values``, ``programme_values``, ``voucher_values``,
``settlement_values``, ``publicity_values``, ``evaluation_values``, ``award_values``); this module gathers them, so
that every command is a value of this one module (``tests/unit/test_command_values.py`` finds them here).
"""

from ledger.commands.command import Command
from ledger.commands.party_values import (
    RegisterEnterprise,
    DecideEligibility,
    CorrectEligibility,
    AdmitProvider,
    SetProviderQuota,
    ReviseProviderQuota,
    EliminateProvider,
    RecordAssessment,
    UseSignInLink,
)
from ledger.commands.programme_values import (
    DefineProgramme,
    OpenProgrammeYear,
    PublishCatalogue,
    SetCityQuota,
    ReviseCityQuota,
    SetCarrierRates,
    RecordCloudAgreement,
    PublishWorkingCalendar,
    ReviseWorkingCalendar,
)
from ledger.commands.voucher_values import (
    IssueVoucher,
    SubmitClaim,
    ApproveClaim,
    RejectClaim,
    ReverseClaim,
    ReleaseClaim,
    ExpireVoucher,
    RevokeVoucher,
)
from ledger.commands.settlement_values import (
    OpenBatch,
    AddToBatch,
    PayBatch,
    CollectRecovery,
    WriteOffRecovery,
    RecordOtherFunding,
)
from ledger.commands.publicity_values import (
    PublishClaims,
    LodgeObjection,
    UpholdClaim,
    SustainObjection,
    ClosePublicityList,
)
from ledger.commands.evaluation_values import (
    RateService,
    FileComplaint,
    EvaluateResourcePool,
)
from ledger.commands.award_values import (
    AddAwardToBatch,
    ApplyForAward,
    CollectAwardRecovery,
    DefineAwardProgramme,
    GrantAward,
    OpenAwardBatch,
    PayAwardBatch,
    RecommendAward,
    RecommendAwardNationally,
    RecoverAward,
    RefuseAward,
    SelectAward,
    WithdrawAwardTitle,
    WriteOffAwardRecovery,
)

__all__ = [
    "Command",
    "RegisterEnterprise",
    "DecideEligibility",
    "CorrectEligibility",
    "AdmitProvider",
    "SetProviderQuota",
    "ReviseProviderQuota",
    "EliminateProvider",
    "RecordAssessment",
    "DefineProgramme",
    "OpenProgrammeYear",
    "PublishCatalogue",
    "SetCityQuota",
    "ReviseCityQuota",
    "SetCarrierRates",
    "RecordCloudAgreement",
    "PublishWorkingCalendar",
    "ReviseWorkingCalendar",
    "IssueVoucher",
    "SubmitClaim",
    "ApproveClaim",
    "RejectClaim",
    "ReverseClaim",
    "ReleaseClaim",
    "ExpireVoucher",
    "RevokeVoucher",
    "OpenBatch",
    "AddToBatch",
    "PayBatch",
    "CollectRecovery",
    "WriteOffRecovery",
    "RecordOtherFunding",
    "PublishClaims",
    "LodgeObjection",
    "UpholdClaim",
    "SustainObjection",
    "ClosePublicityList",
    "RateService",
    "FileComplaint",
    "EvaluateResourcePool",
    "AddAwardToBatch",
    "ApplyForAward",
    "CollectAwardRecovery",
    "DefineAwardProgramme",
    "GrantAward",
    "OpenAwardBatch",
    "PayAwardBatch",
    "RecommendAward",
    "RecommendAwardNationally",
    "RecoverAward",
    "RefuseAward",
    "SelectAward",
    "WithdrawAwardTitle",
    "WriteOffAwardRecovery",
    "UseSignInLink",
]
