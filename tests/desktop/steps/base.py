"""What a step is made of: its actions (run one after another from the event loop), ``Until`` waits, and the
``Checks`` its check function records failures in."""


class Until:
    """Returned by an action to hold the next action until ``condition()`` is true (polled from the event loop).

    ``then_ms`` more are waited once it is; on timeout the step fails and its remaining actions still run.
    """

    def __init__(self, what, condition, timeout_s, then_ms=300, poll_ms=200):
        self.what = what
        self.condition = condition
        self.timeout_s = timeout_s
        self.then_ms = then_ms
        self.poll_ms = poll_ms


class Step:
    """One step of the walkthrough, one pytest test.

    ``actions`` take the context and return nothing (300 ms to the next action), the milliseconds to wait, or an
    ``Until``; an action that raises ends the step as an error and skips every step that ``needs`` it. ``check(ctx,
    checks)`` runs after the actions and records what is wrong; a failed check fails this step only. ``ready(ctx)``
    says what later steps need from this one: None when they can go on, else why not (they are then skipped with
    that reason). ``screenshots`` must be saved by the step.
    """

    def __init__(self, name, actions, check=None, needs=(), ready=None, screenshots=()):
        self.name = name
        self.actions = tuple(actions)
        self.check = check
        self.needs = tuple(needs)
        self.ready = ready
        self.screenshots = tuple(screenshots)


class Checks:
    """Collects every failed check of a step (not only the first), and notes worth printing when it passes."""

    def __init__(self):
        self.failures = []
        self.notes = []

    def that(self, condition, message):
        if not condition:
            self.failures.append(str(message))
        return bool(condition)

    def note(self, text):
        self.notes.append(str(text))
