"""Calendar logic: free slots, invitations (iTIP) and requests in words → a `SchedulePlan`."""
