"""Mail: a built brief as an email, drafted or sent.

The message (`message`), the SMTP settings (`settings`), delivery (`smtp`), the record
of what was sent (`sent_record`) and the steps in order (`send`). Entry points:
`send.run`, `message.build_message`, `smtp.deliver`.
"""
