using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Bo1;

/// <summary>What one refusal did to one of the subjects it counts against.</summary>
/// <param name="Nearby">Refusals of the subject within one window before or after this one, this one included.</param>
/// <param name="AlreadyBlocked">True when a BO1 block was already active on the subject, so no new one was made.</param>
/// <param name="NewBlock">The block this refusal created on the subject, or null.</param>
public sealed record Bo1SubjectResult(BlockSubject Subject, int Nearby, bool AlreadyBlocked, DetectorBlock? NewBlock);
