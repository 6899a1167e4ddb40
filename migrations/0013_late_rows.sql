-- Facts learned late (projections/late_facts.py): rows recorded after they took effect. "What did we learn about T
-- after T" asks for rows with effective_us <= T < recorded_us, which are such rows: these partial indexes hold only
-- them, and both times, so the question is a range of recorded_us filtered inside the index (before them it walked
-- whole tables: 0.3 s a scan at 1M events; bench/README.md, Auditors).
CREATE INDEX vl_money_movements_late ON vl_money_movements (recorded_us, effective_us) WHERE recorded_us > effective_us;
CREATE INDEX vl_audit_events_late ON vl_audit_events (recorded_us, effective_us) WHERE effective_us < recorded_us;
