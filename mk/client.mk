# userspace/client: the control protocol's client side (one request, whole
# reply), a small library shared by ogate-client, the tests and, later, the
# web page's backend. Header: userspace/client/include/control-client.h.
CLIENT_DIR      := userspace/client
CLIENT_INC      := -I$(CLIENT_DIR)/include
CLIENT_SRCS     := $(wildcard $(CLIENT_DIR)/*.c)
CLIENT_LIB      := $(BUILD)/lib/libogate-client.a
CLIENT_LIB_SAN  := $(BUILD)/lib/libogate-client-san.a

$(OBJ)/plain/$(CLIENT_DIR)/% $(OBJ)/san/$(CLIENT_DIR)/%: OBJ_CPPFLAGS = $(CLIENT_INC) $(COMMON_INC)

$(CLIENT_LIB): $(call objs_of,$(CLIENT_SRCS),plain)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
$(CLIENT_LIB_SAN): $(call objs_of,$(CLIENT_SRCS),san)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
