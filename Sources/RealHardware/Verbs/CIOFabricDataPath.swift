import CIOFabric

/// Whether this build of CIOFabric has the verbs data path: it is compiled only where
/// `<infiniband/verbs.h>` was found (Debian's libibverbs-dev); elsewhere its calls fail with ENOSYS.
enum CIOFabricDataPath {
    static let isAvailable: Bool = CIOFabric_verbs_data_path_available() != 0
}
