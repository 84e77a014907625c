namespace Relayguard.Gateway.Identity;

public sealed record AccountInfo(string Name, DateTimeOffset CreatedAt);
