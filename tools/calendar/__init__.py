"""The owner's calendar: one interface (`CalendarSource`), an iCalendar file, CalDAV, a fake."""
