//! The Windows structures `dt` knows, laid out as ntdll's PDB describes them on Windows 10
//! x64 (20H1-22H2, build 19041-19045, the build crtlab's PEB reports): member offset,
//! name and type, in `dt` order, unions and bit fields included.
//!
//! crtlab has no PDB for its ntdll, so these tables stand in for one. Where a structure
//! goes on past what is certain here, the table stops (the comment says where): a
//! shorter listing that is right is better than a full one with guessed members.

use crate::heap::ext::{DtType, HEAP_ENTRY_FIELDS};

/// A member's type, spelled as `dt` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    UChar,
    Char,
    Wchar,
    Uint2B,
    Int2B,
    Uint4B,
    Int4B,
    Uint8B,
    Int8B,
    /// `Ptr64 <name>` (`Ptr64 Void`, `Ptr64 _HEAP`, `Ptr64 Wchar`).
    Ptr(&'static str),
    /// `Ptr64 Ptr64 <name>`.
    PtrPtr(&'static str),
    /// A function pointer, `Ptr64     <return type> `.
    FnPtr(&'static str),
    /// An embedded structure or union.
    Struct(&'static str),
    /// `[count] <element>`.
    Array(u32, &'static Ty),
    /// A bit field `Pos pos, len Bit(s)` in an integer of `bytes` bytes.
    Bits { pos: u8, len: u8, bytes: u8 },
}

impl Ty {
    /// The type column of `dt Type` (no address).
    pub fn name(&self) -> String {
        match self {
            Ty::UChar => "UChar".into(),
            Ty::Char => "Char".into(),
            Ty::Wchar => "Wchar".into(),
            Ty::Uint2B => "Uint2B".into(),
            Ty::Int2B => "Int2B".into(),
            Ty::Uint4B => "Uint4B".into(),
            Ty::Int4B => "Int4B".into(),
            Ty::Uint8B => "Uint8B".into(),
            Ty::Int8B => "Int8B".into(),
            Ty::Ptr(n) => format!("Ptr64 {n}"),
            Ty::PtrPtr(n) => format!("Ptr64 Ptr64 {n}"),
            Ty::FnPtr(r) => format!("Ptr64     {r} "),
            Ty::Struct(n) => n.to_string(),
            Ty::Array(n, e) => format!("[{n}] {}", e.name()),
            Ty::Bits { pos, len, .. } => format!("Pos {pos}, {len} Bit{}", if *len == 1 { "" } else { "s" }),
        }
    }

    /// Bytes of the scalar read for the value (0 for aggregates).
    pub fn width(&self) -> u64 {
        match self {
            Ty::UChar | Ty::Char => 1,
            Ty::Wchar | Ty::Uint2B | Ty::Int2B => 2,
            Ty::Uint4B | Ty::Int4B => 4,
            Ty::Uint8B | Ty::Int8B | Ty::Ptr(_) | Ty::PtrPtr(_) | Ty::FnPtr(_) => 8,
            Ty::Bits { bytes, .. } => u64::from(*bytes),
            Ty::Struct(_) | Ty::Array(..) => 0,
        }
    }

    /// The heap extension's name for the same type, to print values with its formatter.
    pub fn heap_dt_type(&self) -> Option<DtType> {
        Some(match self {
            Ty::UChar | Ty::Char => DtType::UChar,
            Ty::Uint2B => DtType::Uint2B,
            Ty::Uint4B => DtType::Uint4B,
            Ty::Uint8B => DtType::Uint8B,
            Ty::Ptr("Void") => DtType::Ptr64Void,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub offset: u32,
    pub name: &'static str,
    pub ty: Ty,
}

const fn f(offset: u32, name: &'static str, ty: Ty) -> Field {
    Field { offset, name, ty }
}

const fn bit(offset: u32, name: &'static str, pos: u8, len: u8, bytes: u8) -> Field {
    Field { offset, name, ty: Ty::Bits { pos, len, bytes } }
}

/// A structure: its canonical name (`_HEAP`) and members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDef {
    pub name: &'static str,
    pub fields: Vec<Field>,
}

use Ty::*;

const LIST_ENTRY: &[Field] = &[f(0x0, "Flink", Ptr("_LIST_ENTRY")), f(0x8, "Blink", Ptr("_LIST_ENTRY"))];

const UNICODE_STRING: &[Field] =
    &[f(0x0, "Length", Uint2B), f(0x2, "MaximumLength", Uint2B), f(0x8, "Buffer", Ptr("Wchar"))];

const CLIENT_ID: &[Field] = &[f(0x0, "UniqueProcess", Ptr("Void")), f(0x8, "UniqueThread", Ptr("Void"))];

const CURDIR: &[Field] = &[f(0x0, "DosPath", Struct("_UNICODE_STRING")), f(0x10, "Handle", Ptr("Void"))];

const NT_TIB: &[Field] = &[
    f(0x000, "ExceptionList", Ptr("_EXCEPTION_REGISTRATION_RECORD")),
    f(0x008, "StackBase", Ptr("Void")),
    f(0x010, "StackLimit", Ptr("Void")),
    f(0x018, "SubSystemTib", Ptr("Void")),
    f(0x020, "FiberData", Ptr("Void")),
    f(0x020, "Version", Uint4B),
    f(0x028, "ArbitraryUserPointer", Ptr("Void")),
    f(0x030, "Self", Ptr("_NT_TIB")),
];

/// `_TEB`, up to `TlsLinks` (+0x1680); the members after it are left out.
const TEB: &[Field] = &[
    f(0x000, "NtTib", Struct("_NT_TIB")),
    f(0x038, "EnvironmentPointer", Ptr("Void")),
    f(0x040, "ClientId", Struct("_CLIENT_ID")),
    f(0x050, "ActiveRpcHandle", Ptr("Void")),
    f(0x058, "ThreadLocalStoragePointer", Ptr("Void")),
    f(0x060, "ProcessEnvironmentBlock", Ptr("_PEB")),
    f(0x068, "LastErrorValue", Uint4B),
    f(0x06c, "CountOfOwnedCriticalSections", Uint4B),
    f(0x070, "CsrClientThread", Ptr("Void")),
    f(0x078, "Win32ThreadInfo", Ptr("Void")),
    f(0x080, "User32Reserved", Array(26, &Uint4B)),
    f(0x0e8, "UserReserved", Array(5, &Uint4B)),
    f(0x100, "WOW32Reserved", Ptr("Void")),
    f(0x108, "CurrentLocale", Uint4B),
    f(0x10c, "FpSoftwareStatusRegister", Uint4B),
    f(0x110, "ReservedForDebuggerInstrumentation", Array(16, &Ptr("Void"))),
    f(0x190, "SystemReserved1", Array(30, &Ptr("Void"))),
    f(0x280, "PlaceholderCompatibilityMode", Char),
    f(0x281, "PlaceholderHydrationAlwaysExplicit", UChar),
    f(0x282, "PlaceholderReserved", Array(10, &Char)),
    f(0x28c, "ProxiedProcessId", Uint4B),
    f(0x290, "_ActivationStack", Struct("_ACTIVATION_CONTEXT_STACK")),
    f(0x2b8, "WorkingOnBehalfTicket", Array(8, &UChar)),
    f(0x2c0, "ExceptionCode", Int4B),
    f(0x2c4, "Padding0", Array(4, &UChar)),
    f(0x2c8, "ActivationContextStackPointer", Ptr("_ACTIVATION_CONTEXT_STACK")),
    f(0x2d0, "InstrumentationCallbackSp", Uint8B),
    f(0x2d8, "InstrumentationCallbackPreviousPc", Uint8B),
    f(0x2e0, "InstrumentationCallbackPreviousSp", Uint8B),
    f(0x2e8, "TxFsContext", Uint4B),
    f(0x2ec, "InstrumentationCallbackDisabled", UChar),
    f(0x2ed, "UnalignedLoadStoreExceptions", UChar),
    f(0x2ee, "Padding1", Array(2, &UChar)),
    f(0x2f0, "GdiTebBatch", Struct("_GDI_TEB_BATCH")),
    f(0x7d8, "RealClientId", Struct("_CLIENT_ID")),
    f(0x7e8, "GdiCachedProcessHandle", Ptr("Void")),
    f(0x7f0, "GdiClientPID", Uint4B),
    f(0x7f4, "GdiClientTID", Uint4B),
    f(0x7f8, "GdiThreadLocalInfo", Ptr("Void")),
    f(0x800, "Win32ClientInfo", Array(62, &Uint8B)),
    f(0x9f0, "glDispatchTable", Array(233, &Ptr("Void"))),
    f(0x1138, "glReserved1", Array(29, &Uint8B)),
    f(0x1220, "glReserved2", Ptr("Void")),
    f(0x1228, "glSectionInfo", Ptr("Void")),
    f(0x1230, "glSection", Ptr("Void")),
    f(0x1238, "glTable", Ptr("Void")),
    f(0x1240, "glCurrentRC", Ptr("Void")),
    f(0x1248, "glContext", Ptr("Void")),
    f(0x1250, "LastStatusValue", Uint4B),
    f(0x1254, "Padding2", Array(4, &UChar)),
    f(0x1258, "StaticUnicodeString", Struct("_UNICODE_STRING")),
    f(0x1268, "StaticUnicodeBuffer", Array(261, &Wchar)),
    f(0x1472, "Padding3", Array(6, &UChar)),
    f(0x1478, "DeallocationStack", Ptr("Void")),
    f(0x1480, "TlsSlots", Array(64, &Ptr("Void"))),
    f(0x1680, "TlsLinks", Struct("_LIST_ENTRY")),
];

/// `_PEB`, up to `MinimumStackCommit` (+0x318); the members after it changed between
/// Windows 10 releases and are left out.
const PEB: &[Field] = &[
    f(0x000, "InheritedAddressSpace", UChar),
    f(0x001, "ReadImageFileExecOptions", UChar),
    f(0x002, "BeingDebugged", UChar),
    f(0x003, "BitField", UChar),
    bit(0x003, "ImageUsesLargePages", 0, 1, 1),
    bit(0x003, "IsProtectedProcess", 1, 1, 1),
    bit(0x003, "IsImageDynamicallyRelocated", 2, 1, 1),
    bit(0x003, "SkipPatchingUser32Forwarders", 3, 1, 1),
    bit(0x003, "IsPackagedProcess", 4, 1, 1),
    bit(0x003, "IsAppContainer", 5, 1, 1),
    bit(0x003, "IsProtectedProcessLight", 6, 1, 1),
    bit(0x003, "IsLongPathAwareProcess", 7, 1, 1),
    f(0x004, "Padding0", Array(4, &UChar)),
    f(0x008, "Mutant", Ptr("Void")),
    f(0x010, "ImageBaseAddress", Ptr("Void")),
    f(0x018, "Ldr", Ptr("_PEB_LDR_DATA")),
    f(0x020, "ProcessParameters", Ptr("_RTL_USER_PROCESS_PARAMETERS")),
    f(0x028, "SubSystemData", Ptr("Void")),
    f(0x030, "ProcessHeap", Ptr("Void")),
    f(0x038, "FastPebLock", Ptr("_RTL_CRITICAL_SECTION")),
    f(0x040, "AtlThunkSListPtr", Ptr("_SLIST_HEADER")),
    f(0x048, "IFEOKey", Ptr("Void")),
    f(0x050, "CrossProcessFlags", Uint4B),
    bit(0x050, "ProcessInJob", 0, 1, 4),
    bit(0x050, "ProcessInitializing", 1, 1, 4),
    bit(0x050, "ProcessUsingVEH", 2, 1, 4),
    bit(0x050, "ProcessUsingVCH", 3, 1, 4),
    bit(0x050, "ProcessUsingFTH", 4, 1, 4),
    bit(0x050, "ProcessPreviouslyThrottled", 5, 1, 4),
    bit(0x050, "ProcessCurrentlyThrottled", 6, 1, 4),
    bit(0x050, "ProcessImagesHotPatched", 7, 1, 4),
    bit(0x050, "ReservedBits0", 8, 24, 4),
    f(0x054, "Padding1", Array(4, &UChar)),
    f(0x058, "KernelCallbackTable", Ptr("Void")),
    f(0x058, "UserSharedInfoPtr", Ptr("Void")),
    f(0x060, "SystemReserved", Uint4B),
    f(0x064, "AtlThunkSListPtr32", Uint4B),
    f(0x068, "ApiSetMap", Ptr("Void")),
    f(0x070, "TlsExpansionCounter", Uint4B),
    f(0x074, "Padding2", Array(4, &UChar)),
    f(0x078, "TlsBitmap", Ptr("Void")),
    f(0x080, "TlsBitmapBits", Array(2, &Uint4B)),
    f(0x088, "ReadOnlySharedMemoryBase", Ptr("Void")),
    f(0x090, "SharedData", Ptr("Void")),
    f(0x098, "ReadOnlyStaticServerData", PtrPtr("Void")),
    f(0x0a0, "AnsiCodePageData", Ptr("Void")),
    f(0x0a8, "OemCodePageData", Ptr("Void")),
    f(0x0b0, "UnicodeCaseTableData", Ptr("Void")),
    f(0x0b8, "NumberOfProcessors", Uint4B),
    f(0x0bc, "NtGlobalFlag", Uint4B),
    f(0x0c0, "CriticalSectionTimeout", Struct("_LARGE_INTEGER")),
    f(0x0c8, "HeapSegmentReserve", Uint8B),
    f(0x0d0, "HeapSegmentCommit", Uint8B),
    f(0x0d8, "HeapDeCommitTotalFreeThreshold", Uint8B),
    f(0x0e0, "HeapDeCommitFreeBlockThreshold", Uint8B),
    f(0x0e8, "NumberOfHeaps", Uint4B),
    f(0x0ec, "MaximumNumberOfHeaps", Uint4B),
    f(0x0f0, "ProcessHeaps", PtrPtr("Void")),
    f(0x0f8, "GdiSharedHandleTable", Ptr("Void")),
    f(0x100, "ProcessStarterHelper", Ptr("Void")),
    f(0x108, "GdiDCAttributeList", Uint4B),
    f(0x10c, "Padding3", Array(4, &UChar)),
    f(0x110, "LoaderLock", Ptr("_RTL_CRITICAL_SECTION")),
    f(0x118, "OSMajorVersion", Uint4B),
    f(0x11c, "OSMinorVersion", Uint4B),
    f(0x120, "OSBuildNumber", Uint2B),
    f(0x122, "OSCSDVersion", Uint2B),
    f(0x124, "OSPlatformId", Uint4B),
    f(0x128, "ImageSubsystem", Uint4B),
    f(0x12c, "ImageSubsystemMajorVersion", Uint4B),
    f(0x130, "ImageSubsystemMinorVersion", Uint4B),
    f(0x134, "Padding4", Array(4, &UChar)),
    f(0x138, "ActiveProcessAffinityMask", Uint8B),
    f(0x140, "GdiHandleBuffer", Array(60, &Uint4B)),
    f(0x230, "PostProcessInitRoutine", FnPtr("void")),
    f(0x238, "TlsExpansionBitmap", Ptr("Void")),
    f(0x240, "TlsExpansionBitmapBits", Array(32, &Uint4B)),
    f(0x2c0, "SessionId", Uint4B),
    f(0x2c4, "Padding5", Array(4, &UChar)),
    f(0x2c8, "AppCompatFlags", Struct("_ULARGE_INTEGER")),
    f(0x2d0, "AppCompatFlagsUser", Struct("_ULARGE_INTEGER")),
    f(0x2d8, "pShimData", Ptr("Void")),
    f(0x2e0, "AppCompatInfo", Ptr("Void")),
    f(0x2e8, "CSDVersion", Struct("_UNICODE_STRING")),
    f(0x2f8, "ActivationContextData", Ptr("_ACTIVATION_CONTEXT_DATA")),
    f(0x300, "ProcessAssemblyStorageMap", Ptr("_ASSEMBLY_STORAGE_MAP")),
    f(0x308, "SystemDefaultActivationContextData", Ptr("_ACTIVATION_CONTEXT_DATA")),
    f(0x310, "SystemAssemblyStorageMap", Ptr("_ASSEMBLY_STORAGE_MAP")),
    f(0x318, "MinimumStackCommit", Uint8B),
];

/// The segment header that starts every heap segment (and the `_HEAP` itself).
const HEAP_SEGMENT: &[Field] = &[
    f(0x000, "Entry", Struct("_HEAP_ENTRY")),
    f(0x010, "SegmentSignature", Uint4B),
    f(0x014, "SegmentFlags", Uint4B),
    f(0x018, "SegmentListEntry", Struct("_LIST_ENTRY")),
    f(0x028, "Heap", Ptr("_HEAP")),
    f(0x030, "BaseAddress", Ptr("Void")),
    f(0x038, "NumberOfPages", Uint4B),
    f(0x040, "FirstEntry", Ptr("_HEAP_ENTRY")),
    f(0x048, "LastValidEntry", Ptr("_HEAP_ENTRY")),
    f(0x050, "NumberOfUnCommittedPages", Uint4B),
    f(0x054, "NumberOfUnCommittedRanges", Uint4B),
    f(0x058, "SegmentAllocatorBackTraceIndex", Uint2B),
    f(0x05a, "Reserved", Uint2B),
    f(0x060, "UCRSegmentList", Struct("_LIST_ENTRY")),
];

/// `_HEAP` (size 0x2c0), heap-internals §2.2 and the S35 `dt _heap` capture.
const HEAP: &[Field] = &[
    f(0x000, "Segment", Struct("_HEAP_SEGMENT")),
    f(0x000, "Entry", Struct("_HEAP_ENTRY")),
    f(0x010, "SegmentSignature", Uint4B),
    f(0x014, "SegmentFlags", Uint4B),
    f(0x018, "SegmentListEntry", Struct("_LIST_ENTRY")),
    f(0x028, "Heap", Ptr("_HEAP")),
    f(0x030, "BaseAddress", Ptr("Void")),
    f(0x038, "NumberOfPages", Uint4B),
    f(0x040, "FirstEntry", Ptr("_HEAP_ENTRY")),
    f(0x048, "LastValidEntry", Ptr("_HEAP_ENTRY")),
    f(0x050, "NumberOfUnCommittedPages", Uint4B),
    f(0x054, "NumberOfUnCommittedRanges", Uint4B),
    f(0x058, "SegmentAllocatorBackTraceIndex", Uint2B),
    f(0x05a, "Reserved", Uint2B),
    f(0x060, "UCRSegmentList", Struct("_LIST_ENTRY")),
    f(0x070, "Flags", Uint4B),
    f(0x074, "ForceFlags", Uint4B),
    f(0x078, "CompatibilityFlags", Uint4B),
    f(0x07c, "EncodeFlagMask", Uint4B),
    f(0x080, "Encoding", Struct("_HEAP_ENTRY")),
    f(0x090, "Interceptor", Uint4B),
    f(0x094, "VirtualMemoryThreshold", Uint4B),
    f(0x098, "Signature", Uint4B),
    f(0x0a0, "SegmentReserve", Uint8B),
    f(0x0a8, "SegmentCommit", Uint8B),
    f(0x0b0, "DeCommitFreeBlockThreshold", Uint8B),
    f(0x0b8, "DeCommitTotalFreeThreshold", Uint8B),
    f(0x0c0, "TotalFreeSize", Uint8B),
    f(0x0c8, "MaximumAllocationSize", Uint8B),
    f(0x0d0, "ProcessHeapsListIndex", Uint2B),
    f(0x0d2, "HeaderValidateLength", Uint2B),
    f(0x0d8, "HeaderValidateCopy", Ptr("Void")),
    f(0x0e0, "NextAvailableTagIndex", Uint2B),
    f(0x0e2, "MaximumTagIndex", Uint2B),
    f(0x0e8, "TagEntries", Ptr("_HEAP_TAG_ENTRY")),
    f(0x0f0, "UCRList", Struct("_LIST_ENTRY")),
    f(0x100, "AlignRound", Uint8B),
    f(0x108, "AlignMask", Uint8B),
    f(0x110, "VirtualAllocdBlocks", Struct("_LIST_ENTRY")),
    f(0x120, "SegmentList", Struct("_LIST_ENTRY")),
    f(0x130, "AllocatorBackTraceIndex", Uint2B),
    f(0x134, "NonDedicatedListLength", Uint4B),
    f(0x138, "BlocksIndex", Ptr("Void")),
    f(0x140, "UCRIndex", Ptr("Void")),
    f(0x148, "PseudoTagEntries", Ptr("_HEAP_PSEUDO_TAG_ENTRY")),
    f(0x150, "FreeLists", Struct("_LIST_ENTRY")),
    f(0x160, "LockVariable", Ptr("_HEAP_LOCK")),
    f(0x168, "CommitRoutine", FnPtr("long")),
    f(0x170, "StackTraceInitVar", Struct("_RTL_RUN_ONCE")),
    f(0x178, "CommitLimitData", Struct("_RTL_HEAP_MEMORY_LIMIT_DATA")),
    f(0x198, "FrontEndHeap", Ptr("Void")),
    f(0x1a0, "FrontHeapLockCount", Uint2B),
    f(0x1a2, "FrontEndHeapType", UChar),
    f(0x1a3, "RequestedFrontEndHeapType", UChar),
    f(0x1a8, "FrontEndHeapUsageData", Ptr("Wchar")),
    f(0x1b0, "FrontEndHeapMaximumIndex", Uint2B),
    f(0x1b2, "FrontEndHeapStatusBitmap", Array(129, &UChar)),
    f(0x238, "Counters", Struct("_HEAP_COUNTERS")),
    f(0x2b0, "TuningParameters", Struct("_HEAP_TUNING_PARAMETERS")),
];

const PEB_LDR_DATA: &[Field] = &[
    f(0x000, "Length", Uint4B),
    f(0x004, "Initialized", UChar),
    f(0x008, "SsHandle", Ptr("Void")),
    f(0x010, "InLoadOrderModuleList", Struct("_LIST_ENTRY")),
    f(0x020, "InMemoryOrderModuleList", Struct("_LIST_ENTRY")),
    f(0x030, "InInitializationOrderModuleList", Struct("_LIST_ENTRY")),
    f(0x040, "EntryInProgress", Ptr("Void")),
    f(0x048, "ShutdownInProgress", UChar),
    f(0x050, "ShutdownThreadId", Ptr("Void")),
];

/// `_LDR_DATA_TABLE_ENTRY`, up to `BaseDllName` (+0x058); the flag bits and later
/// members are left out.
const LDR_DATA_TABLE_ENTRY: &[Field] = &[
    f(0x000, "InLoadOrderLinks", Struct("_LIST_ENTRY")),
    f(0x010, "InMemoryOrderLinks", Struct("_LIST_ENTRY")),
    f(0x020, "InInitializationOrderLinks", Struct("_LIST_ENTRY")),
    f(0x030, "DllBase", Ptr("Void")),
    f(0x038, "EntryPoint", Ptr("Void")),
    f(0x040, "SizeOfImage", Uint4B),
    f(0x048, "FullDllName", Struct("_UNICODE_STRING")),
    f(0x058, "BaseDllName", Struct("_UNICODE_STRING")),
];

/// `_RTL_USER_PROCESS_PARAMETERS`, up to `EnvironmentVersion` (+0x3f8).
const RTL_USER_PROCESS_PARAMETERS: &[Field] = &[
    f(0x000, "MaximumLength", Uint4B),
    f(0x004, "Length", Uint4B),
    f(0x008, "Flags", Uint4B),
    f(0x00c, "DebugFlags", Uint4B),
    f(0x010, "ConsoleHandle", Ptr("Void")),
    f(0x018, "ConsoleFlags", Uint4B),
    f(0x020, "StandardInput", Ptr("Void")),
    f(0x028, "StandardOutput", Ptr("Void")),
    f(0x030, "StandardError", Ptr("Void")),
    f(0x038, "CurrentDirectory", Struct("_CURDIR")),
    f(0x050, "DllPath", Struct("_UNICODE_STRING")),
    f(0x060, "ImagePathName", Struct("_UNICODE_STRING")),
    f(0x070, "CommandLine", Struct("_UNICODE_STRING")),
    f(0x080, "Environment", Ptr("Void")),
    f(0x088, "StartingX", Uint4B),
    f(0x08c, "StartingY", Uint4B),
    f(0x090, "CountX", Uint4B),
    f(0x094, "CountY", Uint4B),
    f(0x098, "CountCharsX", Uint4B),
    f(0x09c, "CountCharsY", Uint4B),
    f(0x0a0, "FillAttribute", Uint4B),
    f(0x0a4, "WindowFlags", Uint4B),
    f(0x0a8, "ShowWindowFlags", Uint4B),
    f(0x0b0, "WindowTitle", Struct("_UNICODE_STRING")),
    f(0x0c0, "DesktopInfo", Struct("_UNICODE_STRING")),
    f(0x0d0, "ShellInfo", Struct("_UNICODE_STRING")),
    f(0x0e0, "RuntimeData", Struct("_UNICODE_STRING")),
    f(0x0f0, "CurrentDirectores", Array(32, &Struct("_RTL_DRIVE_LETTER_CURDIR"))),
    f(0x3f0, "EnvironmentSize", Uint8B),
    f(0x3f8, "EnvironmentVersion", Uint8B),
];

/// `_HEAP_ENTRY` comes from the heap extension's table, so `dt` and `!heap` agree.
fn heap_entry() -> Vec<Field> {
    HEAP_ENTRY_FIELDS
        .iter()
        .map(|fd| Field {
            offset: fd.offset as u32,
            name: fd.name,
            ty: match fd.ty {
                DtType::Struct(n) => Struct(n),
                DtType::Ptr64Void => Ptr("Void"),
                DtType::UChar => UChar,
                DtType::Uint2B => Uint2B,
                DtType::Uint4B => Uint4B,
                DtType::Uint8B => Uint8B,
            },
        })
        .collect()
}

/// Every structure `dt` can show, by canonical name.
pub const NAMES: &[&str] = &[
    "_PEB",
    "_TEB",
    "_NT_TIB",
    "_CLIENT_ID",
    "_HEAP",
    "_HEAP_SEGMENT",
    "_HEAP_ENTRY",
    "_LIST_ENTRY",
    "_UNICODE_STRING",
    "_CURDIR",
    "_PEB_LDR_DATA",
    "_LDR_DATA_TABLE_ENTRY",
    "_RTL_USER_PROCESS_PARAMETERS",
];

/// The structure named `name` (case-insensitive, without module).
pub fn lookup(name: &str) -> Option<TypeDef> {
    let canonical = *NAMES.iter().find(|n| n.eq_ignore_ascii_case(name))?;
    let fields: Vec<Field> = match canonical {
        "_PEB" => PEB.to_vec(),
        "_TEB" => TEB.to_vec(),
        "_NT_TIB" => NT_TIB.to_vec(),
        "_CLIENT_ID" => CLIENT_ID.to_vec(),
        "_HEAP" => HEAP.to_vec(),
        "_HEAP_SEGMENT" => HEAP_SEGMENT.to_vec(),
        "_HEAP_ENTRY" => heap_entry(),
        "_LIST_ENTRY" => LIST_ENTRY.to_vec(),
        "_UNICODE_STRING" => UNICODE_STRING.to_vec(),
        "_CURDIR" => CURDIR.to_vec(),
        "_PEB_LDR_DATA" => PEB_LDR_DATA.to_vec(),
        "_LDR_DATA_TABLE_ENTRY" => LDR_DATA_TABLE_ENTRY.to_vec(),
        "_RTL_USER_PROCESS_PARAMETERS" => RTL_USER_PROCESS_PARAMETERS.to_vec(),
        _ => return None,
    };
    Some(TypeDef { name: canonical, fields })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::environment as env;

    fn offset(t: &str, field: &str) -> u64 {
        u64::from(lookup(t).unwrap().fields.iter().find(|f| f.name == field).unwrap().offset)
    }

    /// The offsets crtlab's own environment and heap write must be the ones `dt` shows.
    #[test]
    fn tables_agree_with_the_emulated_layouts() {
        assert_eq!(offset("_PEB", "BeingDebugged"), env::PEB_BEING_DEBUGGED);
        assert_eq!(offset("_PEB", "ImageBaseAddress"), env::PEB_IMAGE_BASE);
        assert_eq!(offset("_PEB", "Ldr"), env::PEB_LDR);
        assert_eq!(offset("_PEB", "ProcessParameters"), env::PEB_PROCESS_PARAMETERS);
        assert_eq!(offset("_PEB", "ProcessHeap"), env::PEB_PROCESS_HEAP);
        assert_eq!(offset("_PEB", "NtGlobalFlag"), env::PEB_NT_GLOBAL_FLAG);
        assert_eq!(offset("_PEB", "NumberOfHeaps"), env::PEB_NUMBER_OF_HEAPS);
        assert_eq!(offset("_PEB", "MaximumNumberOfHeaps"), env::PEB_MAX_NUMBER_OF_HEAPS);
        assert_eq!(offset("_PEB", "ProcessHeaps"), env::PEB_PROCESS_HEAPS);
        assert_eq!(offset("_PEB", "OSMajorVersion"), env::PEB_OS_MAJOR);
        assert_eq!(offset("_PEB", "OSMinorVersion"), env::PEB_OS_MINOR);
        assert_eq!(offset("_PEB", "OSBuildNumber"), env::PEB_OS_BUILD);
        assert_eq!(offset("_PEB", "OSPlatformId"), env::PEB_OS_PLATFORM);
        assert_eq!(offset("_TEB", "NtTib"), env::TEB_EXCEPTION_LIST);
        assert_eq!(offset("_NT_TIB", "StackBase"), env::TEB_STACK_BASE);
        assert_eq!(offset("_NT_TIB", "StackLimit"), env::TEB_STACK_LIMIT);
        assert_eq!(offset("_NT_TIB", "Self"), env::TEB_SELF);
        assert_eq!(offset("_TEB", "ClientId"), env::TEB_CLIENT_ID);
        assert_eq!(offset("_TEB", "ThreadLocalStoragePointer"), env::TEB_TLS_POINTER);
        assert_eq!(offset("_TEB", "ProcessEnvironmentBlock"), env::TEB_PEB);
        assert_eq!(offset("_TEB", "LastErrorValue"), env::TEB_LAST_ERROR);
        assert_eq!(offset("_TEB", "LastStatusValue"), env::TEB_LAST_STATUS);
        assert_eq!(offset("_TEB", "DeallocationStack"), env::TEB_DEALLOCATION_STACK);
        assert_eq!(offset("_TEB", "TlsSlots"), env::TEB_TLS_SLOTS);
        use crate::heap::layout::heap as h;
        for (field, off) in [
            ("SegmentSignature", h::SEGMENT_SIGNATURE),
            ("SegmentFlags", h::SEGMENT_FLAGS),
            ("SegmentListEntry", h::SEGMENT_LIST_ENTRY),
            ("Heap", h::HEAP),
            ("BaseAddress", h::BASE_ADDRESS),
            ("NumberOfPages", h::NUMBER_OF_PAGES),
            ("FirstEntry", h::FIRST_ENTRY),
            ("LastValidEntry", h::LAST_VALID_ENTRY),
            ("NumberOfUnCommittedPages", h::NUMBER_OF_UNCOMMITTED_PAGES),
            ("NumberOfUnCommittedRanges", h::NUMBER_OF_UNCOMMITTED_RANGES),
            ("UCRSegmentList", h::UCR_SEGMENT_LIST),
            ("Flags", h::FLAGS),
            ("ForceFlags", h::FORCE_FLAGS),
            ("CompatibilityFlags", h::COMPATIBILITY_FLAGS),
            ("EncodeFlagMask", h::ENCODE_FLAG_MASK),
            ("Encoding", h::ENCODING),
            ("Interceptor", h::INTERCEPTOR),
            ("VirtualMemoryThreshold", h::VIRTUAL_MEMORY_THRESHOLD),
            ("Signature", h::SIGNATURE),
            ("SegmentReserve", h::SEGMENT_RESERVE),
            ("SegmentCommit", h::SEGMENT_COMMIT),
            ("DeCommitFreeBlockThreshold", h::DECOMMIT_FREE_BLOCK_THRESHOLD),
            ("DeCommitTotalFreeThreshold", h::DECOMMIT_TOTAL_FREE_THRESHOLD),
            ("TotalFreeSize", h::TOTAL_FREE_SIZE),
            ("MaximumAllocationSize", h::MAXIMUM_ALLOCATION_SIZE),
            ("ProcessHeapsListIndex", h::PROCESS_HEAPS_LIST_INDEX),
            ("HeaderValidateLength", h::HEADER_VALIDATE_LENGTH),
            ("HeaderValidateCopy", h::HEADER_VALIDATE_COPY),
            ("NextAvailableTagIndex", h::NEXT_AVAILABLE_TAG_INDEX),
            ("MaximumTagIndex", h::MAXIMUM_TAG_INDEX),
            ("TagEntries", h::TAG_ENTRIES),
            ("UCRList", h::UCR_LIST),
            ("AlignRound", h::ALIGN_ROUND),
            ("AlignMask", h::ALIGN_MASK),
            ("VirtualAllocdBlocks", h::VIRTUAL_ALLOCD_BLOCKS),
            ("SegmentList", h::SEGMENT_LIST),
            ("AllocatorBackTraceIndex", h::ALLOCATOR_BACK_TRACE_INDEX),
            ("NonDedicatedListLength", h::NON_DEDICATED_LIST_LENGTH),
            ("BlocksIndex", h::BLOCKS_INDEX),
            ("UCRIndex", h::UCR_INDEX),
            ("PseudoTagEntries", h::PSEUDO_TAG_ENTRIES),
            ("FreeLists", h::FREE_LISTS),
            ("LockVariable", h::LOCK_VARIABLE),
            ("CommitRoutine", h::COMMIT_ROUTINE),
            ("FrontEndHeap", h::FRONT_END_HEAP),
            ("FrontHeapLockCount", h::FRONT_HEAP_LOCK_COUNT),
            ("FrontEndHeapType", h::FRONT_END_HEAP_TYPE),
            ("RequestedFrontEndHeapType", h::REQUESTED_FRONT_END_HEAP_TYPE),
            ("FrontEndHeapUsageData", h::FRONT_END_HEAP_USAGE_DATA),
            ("FrontEndHeapMaximumIndex", h::FRONT_END_HEAP_MAXIMUM_INDEX),
            ("Counters", h::COUNTERS),
            ("TuningParameters", h::TUNING_PARAMETERS),
        ] {
            assert_eq!(offset("_HEAP", field), off, "{field}");
        }
    }

    /// Members follow each other without overlap except where unions and bit fields
    /// share an offset, and array sizes add up to the next member.
    #[test]
    fn members_are_in_offset_order() {
        for n in NAMES {
            let t = lookup(n).unwrap();
            assert!(t.fields.windows(2).all(|w| w[0].offset <= w[1].offset || *n == "_HEAP_ENTRY" || *n == "_HEAP"), "{n}");
        }
        assert!(lookup("_heap").is_some());
        assert!(lookup("nosuchtype").is_none());
    }
}
