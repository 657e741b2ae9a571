"""Messages to the person by SMS and e-mail (DESIGN.md « Messages to the person »).

- ``phones``: a mobile number, validated and normalised (E.164) with phonenumbers;
- ``wording``: what each kind of message may say (its placeholders), the plain-French defaults,
  the department's templates checked at save, the SMS segment count;
- ``rules``: quiet hours;
- ``services``: the person's choice of channels (given, withdrawn) and the templates' writes.

Never sent: anything about an absence, a breach report, a sanction or an RSA decision
(``casework.enums.MessageKind`` has no such kind), and never social content (no placeholder
carries any).
"""
