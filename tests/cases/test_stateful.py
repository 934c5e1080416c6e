"""Random sequences of actions keep the loop's invariants (hypothesis stateful testing).

After every step: only legal states; a complete, chained timeline; a running clock exactly
when a stage is open, with a light that agrees with the calendar; and rollup counts equal to
the counts taken directly from the cases.
"""

from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from onegrid.cases import scheduled
from onegrid.cases.facts import FACTS, facts
from onegrid.cases.flows import transition
from onegrid.cases.machine import Action, target
from onegrid.cases.models import APART, APART_FACTS, Case, CaseEvent, Channel, State
from onegrid.cases.rollup import GRAINS
from onegrid.core.errors import DomainError
from onegrid.core.permissions import operator
from onegrid.core.workcalendar import Light, get_calendar

WHO = operator("hypothesis")
ACTIONS = [a for a in Action if a is not Action.RECEIVE]
DATA = {
    Action.VERIFY: st.fixed_dictionaries({"valid": st.booleans()}),
    Action.DISPATCH: st.fixed_dictionaries(
        {"department_code": st.sampled_from(["urban_mgmt", "water", "housing"])}
    ),
    Action.REQUEST_EXTENSION: st.fixed_dictionaries({"duration": st.sampled_from(["4h", "1d"])}),
    Action.EVALUATE: st.fixed_dictionaries({"rating": st.integers(1, 5)}),
}


def _allowed(case, action) -> bool:
    try:
        target(case, action)
    except DomainError:
        return False
    return True


def machine_for(session, make_case):
    class Loop(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.savepoint = session.begin_nested()
            self.cases = [make_case()]
            self.now = self.cases[0].received_at
            self.taken = {self.cases[0].id: 1}

        def teardown(self):
            self.savepoint.rollback()

        @rule(
            data=st.data(),
            any_action=st.sampled_from(ACTIONS),
            note=st.sampled_from([None, "说明"]),
        )
        def act(self, data, any_action, note):
            case = data.draw(st.sampled_from(self.cases))
            # Mostly a move the state allows (to go deep into the loop), sometimes any move
            # (to see refusals change nothing); ending moves are drawn less often.
            legal = [a for a in ACTIONS if _allowed(case, a)]
            onward = [a for a in legal if a not in (Action.VOID, Action.MERGE)] or legal
            roll = data.draw(st.integers(0, 9))
            action = (
                any_action
                if roll == 0 or not legal
                else data.draw(st.sampled_from(onward if roll > 1 else legal))
            )
            extra = data.draw(DATA.get(action, st.just({})))
            if action is Action.MERGE:
                extra = {"into": data.draw(st.sampled_from(self.cases)).receipt}
            before = (case.state, case.version)
            attempt = session.begin_nested()
            try:
                transition(
                    session=session,
                    case=case,
                    action=action,
                    who=WHO,
                    note=note,
                    data=extra,
                    now=self.now,
                )
                attempt.commit()
                self.taken[case.id] += 1
            except DomainError:
                attempt.rollback()
                session.refresh(case)
                assert (case.state, case.version) == before  # refused: nothing changed

        @rule(channel=st.sampled_from([Channel.HOTLINE, Channel.CITIZEN]))
        def report_another(self, channel):
            if len(self.cases) < 3:
                case = make_case(when=self.now, description="又一处路灯不亮", channel=channel)
                self.cases.append(case)
                self.taken[case.id] = 1

        @rule(minutes=st.integers(1, 3 * 24 * 60))
        def time_passes(self, minutes):
            self.now += timedelta(minutes=minutes)
            escalated = scheduled.sweep(session=session, now=self.now)
            for case in self.cases:
                session.refresh(case)
            self.taken = {
                c.id: session.scalar(
                    select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == c.id)
                )
                for c in self.cases
            }
            assert escalated >= 0

        @invariant()
        def legal_states_and_complete_timelines(self):
            for case in self.cases:
                assert State(case.state)
                events = session.scalars(
                    select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
                ).all()
                assert len(events) == self.taken[case.id]
                assert events[0].action == "receive" and events[0].from_state is None
                for previous, event in zip(events, events[1:], strict=False):
                    assert event.from_state == previous.to_state
                assert events[-1].to_state == case.state

        @invariant()
        def clocks_and_lights(self):
            calendar = get_calendar()
            for case in self.cases:
                if case.stage is None:
                    assert case.stage_deadline is None and case.next_escalation_at is None
                    continue
                assert case.stage_deadline > case.stage_started_at
                light = calendar.light(case.stage_started_at, case.stage_deadline, self.now)
                used = calendar.used_fraction(case.stage_started_at, case.stage_deadline, self.now)
                if self.now > case.stage_deadline:
                    assert light is Light.RED
                elif used < 0.8:
                    assert light is Light.GREEN

        @invariant()
        def every_rollup_grain_equals_the_cases(self):
            district = self.cases[0].district_code
            direct = dict.fromkeys(FACTS + APART_FACTS, 0)
            # As the database holds them now: a rolled-back example's case may have left its
            # object, with another channel, under a reused id.
            query = select(Case).where(Case.district_code == district)
            for case in session.scalars(query.execution_options(populate_existing=True)):
                for fact, count in zip(FACTS, facts(case), strict=True):
                    direct[fact] += count
                    if case.channel in APART:
                        direct[f"{case.channel}_{fact}"] += count
            for grain in GRAINS:
                table = grain.table
                sums = [func.coalesce(func.sum(table.c[name]), 0) for name in grain.counted]
                rolled = session.execute(
                    select(*sums).where(table.c.district_code == district)
                ).one()
                assert list(rolled) == [direct[name] for name in grain.counted], table.name

    return Loop


def test_random_sequences_keep_the_invariants(session, make_case):
    run_state_machine_as_test(
        machine_for(session, make_case),
        settings=settings(
            max_examples=20,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
