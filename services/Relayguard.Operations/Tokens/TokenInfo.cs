namespace Relayguard.Operations.Tokens;

/// <summary>An operator token's name and role, without the token or its hash.</summary>
public sealed record TokenInfo(string Name, string Role, DateTimeOffset CreatedAt, string CreatedBy);
