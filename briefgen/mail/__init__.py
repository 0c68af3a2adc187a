"""Mail: a built brief as an email, drafted or sent.

The message (`message`) and its folded Subject (`headers`), the SMTP settings
(`settings`), delivery (`smtp`), the record of what was sent (`sent_record`), a brief sent
again as an amendment (`amend`) and the steps in order (`send`). Entry points:
`send.email_command`, `message.build_message`, `smtp.deliver`.
"""
