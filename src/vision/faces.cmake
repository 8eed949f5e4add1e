# Face detection, landmarks and chip alignment (included by vision/CMakeLists.txt).
set(VISION_FACE_SOURCES face_detector.cc face_tiles.cc onnx_conv_net.cc fused_layers.cc face_detector_hog.cc face_landmarks.cc metric_net.cc)
set(VISION_FACE_HEADERS face_detector.h face_tiles.h onnx_conv_net.h fused_layers.h face_landmarks.h face_pool.h face_dlib_view.h metric_net.h)
set(VISION_FACE_TESTS face_detector_test.cc face_tiles_test.cc onnx_conv_net_test.cc fused_layers_test.cc face_landmarks_test.cc)
# The Haar comparator needs objdetect, which the top-level find_package does not list (imported targets exist for
# every installed module); appending here keeps the extra link inside vision/.
list(APPEND OpenCV_LIBS opencv_objdetect)
# The fused layers' loops are written for the vectoriser (its full cost model runs from -O3), once per instruction set.
set_source_files_properties(fused_layers.cc PROPERTIES COMPILE_OPTIONS -O3)
