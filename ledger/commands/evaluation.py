"""Commands of the resource pool's evaluation (三(三); DOMAIN.md, "Resource pool evaluation").

An enterprise rates (once per claim) and complains about the provider of its own claims; each counts on the
provider's review of the voucher's programme year in the same transaction. Once per year the province evaluates the
pool: every provider it names is scored from its review and the spot checks with effect in that year, promoted
providers are flagged, the lowest eliminated for the next year and every next-year quota set by the year's rule —
all in one transaction, with the year's run recorded so a second run is refused.
"""

from __future__ import annotations

from uuid import UUID

from ledger import ids
from ledger.commands.base import LedgerApplicationBase
from ledger.errors import (
    AlreadyExistsError,
    AlreadyRatedError,
    InvalidInputError,
    VoucherNotFoundError,
    YearAlreadyEvaluatedError,
    YearNotInProgrammeError,
)
from ledger.evaluation import (
    Complaint,
    EvaluationResult,
    PoolEvaluation,
    ProviderReview,
    ServiceRating,
    require_year_over,
)
from ledger.provider import Provider
from ledger.quotas import ProviderQuota
from ledger.recording import By
from ledger.voucher import Voucher


class EvaluationCommands(LedgerApplicationBase):
    def rate_service(self, by: By, *, voucher_id: UUID, claim_id: UUID, score: int, comment: str = "",
                     on_behalf_of: UUID | None = None) -> UUID:
        """Rate the service a claim paid for (1-5); returns the rating's id. ``on_behalf_of``: the enterprise
        rating, when one does; another enterprise's voucher is then answered as an unknown one."""

        def run() -> UUID:
            voucher, claim = self._own_claim(voucher_id, claim_id, on_behalf_of)
            if self._exists(ids.service_rating_id(claim_id)):
                raise AlreadyRatedError(f"claim {claim_id} has been rated already: a claim is rated once")
            rating = ServiceRating.rate(by, voucher_id=voucher.id, claim_id=claim_id, provider_id=claim.provider_id,
                                        enterprise_id=voucher.enterprise_id, year=voucher.year, score=score,
                                        comment=comment)
            review = self._review(by, claim.provider_id, voucher.year)
            review.count_rating(by, claim_id=claim_id, score=score)
            self._save(rating, review)
            return rating.id

        return self._run(run)

    def file_complaint(self, by: By, *, complaint_id: UUID, voucher_id: UUID, claim_id: UUID, reason: str,
                       on_behalf_of: UUID | None = None) -> UUID:
        """Complain about the provider of a claim; counts in that provider's evaluation of the voucher's year."""

        def run() -> UUID:
            voucher, claim = self._own_claim(voucher_id, claim_id, on_behalf_of)
            if self._exists(complaint_id):
                raise AlreadyExistsError(f"complaint {complaint_id} is already filed")
            complaint = Complaint.file(by, complaint_id=complaint_id, voucher_id=voucher.id, claim_id=claim_id,
                                       provider_id=claim.provider_id, enterprise_id=voucher.enterprise_id,
                                       year=voucher.year, reason=reason)
            review = self._review(by, claim.provider_id, voucher.year)
            review.count_complaint(by, complaint_id=complaint_id, claim_id=claim_id)
            self._save(complaint, review)
            return complaint.id

        return self._run(run)

    def evaluate_resource_pool(self, by: By, *, year: int, provider_ids: tuple[UUID, ...]) -> list[EvaluationResult]:
        """Evaluate ``year`` for every provider named (the caller lists the pool from its read model; each must be
        a provider). Needs the next year opened: its caps are the base of the next year's quotas; and the year over
        (its redemption deadline passed, ``require_year_over``): its claims are rated until then."""
        year_rules = self.year_rules(year)
        rules = year_rules.evaluation
        try:
            next_rules = self.year_rules(year + 1)
        except YearNotInProgrammeError:
            raise YearNotInProgrammeError(
                f"the {year} evaluation sets the quotas of {year + 1}: open {year + 1} first") from None
        require_year_over(year_rules, by.at)
        named = sorted(set(provider_ids))
        if not named:
            raise InvalidInputError("an evaluation names the providers of the pool; none were named")

        def run() -> list[EvaluationResult]:
            if self._exists(ids.pool_evaluation_id(year)):
                raise YearAlreadyEvaluatedError(f"the {year} resource pool has been evaluated already")
            changed: list[object] = []
            results = []
            for provider_id in named:
                provider = self.provider(provider_id)
                review = self._review(by, provider_id, year)
                quota = self._find(ids.provider_quota_id(provider_id, year + 1), ProviderQuota)
                result = review.evaluate(
                    by, rules=rules, inputs=review.inputs(*provider.spot_checks_in(year)), kind=provider.kind,
                    cap_fen=next_rules.provider_caps_fen.get(provider.kind),
                    used_next_year_fen=quota.used_fen if quota else 0)
                changed += [review, *self._consequences(by, provider, quota, result)]
                results.append(result)
            changed.append(PoolEvaluation.run(
                by, year=year, formula=rules.formula, provider_ids=list(named),
                promoted=sum(r.promoted for r in results), eliminated=sum(r.eliminated for r in results)))
            self._save(*changed)
            return results

        return self._run(run)

    # -- reading -----------------------------------------------------------------------------------------------------
    def evaluation_results(self, year: int) -> list[EvaluationResult] | None:
        """A year's results as their events recorded them, in the run's provider order; None: not evaluated."""
        run = self._find(ids.pool_evaluation_id(year), PoolEvaluation)
        if run is None:
            return None
        results = []
        for provider_id in run.provider_ids:
            evaluated = [e for e in self._history(ids.provider_review_id(provider_id, year))
                         if isinstance(e, ProviderReview.Evaluated)]
            results += [EvaluationResult.of(provider_id, year, e) for e in evaluated]
        return results

    # -- helpers ---------------------------------------------------------------------------------------------------
    def _own_claim(self, voucher_id: UUID, claim_id: UUID, on_behalf_of: UUID | None):
        voucher = self._find(voucher_id, Voucher)
        if voucher is None or (on_behalf_of is not None and voucher.enterprise_id != on_behalf_of):
            raise VoucherNotFoundError(f"no voucher {voucher_id}")
        self.year_rules(voucher.year)
        claim = voucher.claim(claim_id)
        # A provider the run did not name has no result to close; the year's run closes its ratings all the same.
        if self._exists(ids.pool_evaluation_id(voucher.year)):
            raise YearAlreadyEvaluatedError(
                f"the {voucher.year} resource pool was evaluated: ratings and complaints of that year are closed")
        return voucher, claim

    def _review(self, by: By, provider_id: UUID, year: int) -> ProviderReview:
        review = self._find(ids.provider_review_id(provider_id, year), ProviderReview)
        return review or ProviderReview.open(by, provider_id=provider_id, year=year)

    def _consequences(self, by: By, provider: Provider, quota: ProviderQuota | None,
                      result: EvaluationResult) -> list[object]:
        """Eliminate for the next year (unless already), and set the next year's quota as the result says."""
        changed: list[object] = []
        if result.eliminated and not provider.is_eliminated(result.year + 1):
            # the score; the review's Evaluated event carries how it was reached
            provider.eliminate(by, year=result.year + 1, rating=str(result.score), effective_at=by.at)
            changed.append(provider)
        if result.quota_set_fen is not None:
            if quota is None:
                quota = ProviderQuota.set(by, provider_id=provider.id, year=result.year + 1,
                                          amount_fen=result.quota_set_fen)
                changed.append(quota)
            elif quota.amount_fen != result.quota_set_fen:
                quota.revise(by, amount_fen=result.quota_set_fen)
                changed.append(quota)
        return changed
