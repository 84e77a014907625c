namespace Relayguard.Contracts;

/// <summary>The rule codes named in every refusal and block.</summary>
public static class RuleCodes
{
    public const string Ca1 = "CA1";
    public const string Ca2 = "CA2";
    public const string Bo1 = "BO1";
    public const string Rl1 = "RL1";
    public const string Op1 = "OP1";

    public static readonly IReadOnlyList<string> All = [Ca1, Ca2, Bo1, Rl1, Op1];
}
